import { GrantType, TokenEndpointAuthMethod, TokenSigningAlg } from '../application.entity';

export class ApplicationResponse {
  /** @example "7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b" */
  id: string;
  /** @example "6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  workspaceId: string;
  /** @example "Customer portal" */
  name: string;
  /** @example "app_k3J9xQ2mV8pL4tR7wZ1nB5cH" */
  clientId: string;
  /** @example ["https://app.example.com/callback"] */
  redirectUris: string[];
  /** @example ["https://app.example.com/"] */
  postLogoutRedirectUris: string[];
  /** @example ["authorization_code", "refresh_token"] */
  grantTypes: GrantType[];
  /** @example "client_secret_basic" */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Signs the application's ID tokens and JWT access tokens. @example "RS256" */
  tokenSigningAlg: TokenSigningAlg;
  /** The issuer to configure in the application. @example "http://localhost:3000/oidc/6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  issuer: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  updatedAt: string;
}

export class CreatedApplicationResponse extends ApplicationResponse {
  /** Shown this once for confidential clients; absent for public ones. @example "sec_EXAMPLE_secret_shown_once_store_it_00000000" */
  clientSecret?: string;
}

export class ApplicationPageResponse {
  items: ApplicationResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
