import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString } from 'class-validator';
import { Length } from '../../../platform/http/char-length';
import { IsOmittable } from '../../../platform/http/optional';
import { Trim } from '../../../platform/http/trim';
import { AUTH_METHODS, GRANT_TYPES, GrantType, TOKEN_SIGNING_ALGS, TokenEndpointAuthMethod, TokenSigningAlg } from '../application.entity';
import { IsRedirectUri } from './redirect-uri.validator';

export class CreateApplicationDto {
  /** @example "Customer portal" */
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;

  /** Absolute URIs without fragments; required for authorization_code. @example ["https://app.example.com/callback"] */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsRedirectUri({ each: true })
  redirectUris?: string[];

  /** Where RP-initiated logout may return to. @example ["https://app.example.com/"] */
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsRedirectUri({ each: true })
  postLogoutRedirectUris?: string[];

  /**
   * `refresh_token` needs `authorization_code` or `password` beside it (a refresh token is handed out by one of
   * them); a public client (`tokenEndpointAuthMethod: none`) cannot use `client_credentials`.
   * @example ["authorization_code", "refresh_token"]
   */
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(GRANT_TYPES, { each: true })
  grantTypes: GrantType[];

  /** `none` makes a public client (SPA, mobile): no secret, PKCE required. `client_secret_basic` when left out. @example "client_secret_basic" */
  @IsOmittable()
  @IsIn(AUTH_METHODS)
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;

  /** Signs the application's ID tokens and JWT access tokens (the issuer publishes a key for each); `RS256` when left out at creation. @example "RS256" */
  @IsOmittable()
  @IsIn(TOKEN_SIGNING_ALGS)
  tokenSigningAlg?: TokenSigningAlg;
}
