import { ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsUUID, Max, Min } from 'class-validator';
import { IsOmittable } from '../../../platform/http/optional';
import { AUTHENTICATION_MECHANISMS, AuthenticationMechanism } from '../../../pools/pool.entity';

export class CreateIdentityProviderDto {
  /** The only type for now: a pool of this workspace. @example "identity_pool" */
  @IsIn(['identity_pool'])
  type: 'identity_pool';

  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  @IsUUID()
  poolId: string;

  /** A non-empty subset of the pool's authenticationMechanisms. @example ["password"] */
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(AUTHENTICATION_MECHANISMS, { each: true })
  signInMethods: AuthenticationMechanism[];

  /** Disabled providers keep their settings but accept no sign-in (true when left out at creation). @example true */
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  /** When an identifier exists in several connected pools, the lowest priority wins (0 when left out at creation). @example 0 */
  @IsOmittable()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;
}
