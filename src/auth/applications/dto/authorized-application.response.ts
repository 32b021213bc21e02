export class AuthorizedApplicationResponse {
  /** The application's id. @example "7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b" */
  id: string;
  /** @example "Customer portal" */
  name: string;
  /** @example "app_k3J9xQ2mV8pL4tR7wZ1nB5cH" */
  clientId: string;
  /** What the user let it have, over every grant it holds. @example ["email", "offline_access", "openid", "profile"] */
  scopes: string[];
  /**
   * Since when it has had access: the oldest grant it still holds (a sign-in through the login page
   * reuses the application's grant while it lasts; each password-grant sign-in makes a new one).
   * @example "2026-11-27T09:00:00.000Z"
   */
  authorizedAt: string;
}

export class AuthorizedApplicationPageResponse {
  items: AuthorizedApplicationResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
