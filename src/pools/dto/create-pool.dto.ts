import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, ValidateBy, ValidateNested } from 'class-validator';
import { Length, MaxLength } from '../../platform/http/char-length';
import { IsOmittable } from '../../platform/http/optional';
import { Trim } from '../../platform/http/trim';
import { AUTHENTICATION_MECHANISMS, AuthenticationMechanism } from '../pool.entity';

/**
 * When both are in the same request, reports the crossed range with the other field
 * errors; the service checks again against the merged, stored policy.
 */
function NotBelow(property: string): PropertyDecorator {
  return ValidateBy({
    name: 'notBelow',
    constraints: [property],
    validator: {
      validate: (value: unknown, args) => {
        const other = (args?.object as Record<string, unknown>)[property];
        return typeof value !== 'number' || typeof other !== 'number' || value >= other;
      },
      defaultMessage: (args) => `${args?.property} must be greater than or equal to ${property}`,
    },
  });
}

export class PasswordPolicyDto {
  /** Shortest password accepted (at least 8; 8 when left out at creation). @example 12 */
  @IsOmittable()
  @IsInt()
  @Min(8)
  @Max(1024)
  minLength?: number;

  /** Longest password accepted; at least `minLength` (128 when left out at creation). @example 128 */
  @IsOmittable()
  @IsInt()
  @Min(8)
  @Max(1024)
  @NotBelow('minLength')
  maxLength?: number;
}

export class SelfRegistrationDto {
  /** Whether users may sign up themselves (false when left out at creation). @example false */
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  /** Whether a self-registered user must follow an email link before signing in (true when left out at creation). @example true */
  @IsOmittable()
  @IsBoolean()
  requireEmailVerification?: boolean;
}

export class LockoutPolicyDto {
  /** Consecutive failed sign-ins before the account is locked (5 when left out at creation). @example 5 */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(100)
  maxFailedAttempts?: number;

  /** How long a lock lasts, in seconds (900 when left out at creation). @example 900 */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  durationSeconds?: number;
}

export class CreatePoolDto {
  /** Unique in the workspace, case-insensitively. @example "Customers" */
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;

  /** @example "Customer portal accounts" */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  /** How users of this pool may authenticate (["password"] when left out at creation). @example ["password"] */
  @IsOmittable()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(AUTHENTICATION_MECHANISMS.length)
  @ArrayUnique()
  @IsIn(AUTHENTICATION_MECHANISMS, { each: true })
  authenticationMechanisms?: AuthenticationMechanism[];

  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => PasswordPolicyDto)
  passwordPolicy?: PasswordPolicyDto;

  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => SelfRegistrationDto)
  selfRegistration?: SelfRegistrationDto;

  /** How long an invitation link stays valid, in hours (72 when left out at creation). @example 72 */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  invitationTtlHours?: number;

  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => LockoutPolicyDto)
  lockout?: LockoutPolicyDto;
}
