export class AuthorizedApplicationResponse {
  /** The application's id. @example "7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b" */
  id: string;
  /** @example "Customer portal" */
  name: string;
  /** @example "app_k3J9xQ2mV8pL4tR7wZ1nB5cH" */
  clientId: string;
  /** What the user let it have, over every grant it holds. @example ["email", "offline_access", "openid", "profile"] */
  scopes: string[];
  /** When the user first signed in to it, of the grants it still holds. @example "2026-11-27T09:00:00.000Z" */
  firstAuthorizedAt: string;
  /** When the user last signed in to it (a refresh does not count). @example "2026-11-28T17:30:00.000Z" */
  lastAuthorizedAt: string;
}

export class AuthorizedApplicationPageResponse {
  items: AuthorizedApplicationResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
