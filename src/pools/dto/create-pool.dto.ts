import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Trim } from '../../platform/http/trim';
import { AUTHENTICATION_MECHANISMS, AuthenticationMechanism } from '../pool.entity';

export class PasswordPolicyDto {
  /** Shortest password accepted (at least 8). @example 12 */
  @IsOptional()
  @IsInt()
  @Min(8)
  @Max(1024)
  minLength?: number;

  /** Longest password accepted; at least `minLength`. @example 128 */
  @IsOptional()
  @IsInt()
  @Min(8)
  @Max(1024)
  maxLength?: number;
}

export class SelfRegistrationDto {
  /** Whether users may sign up themselves. @example false */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Whether a self-registered user must follow an email link before signing in. @example true */
  @IsOptional()
  @IsBoolean()
  requireEmailVerification?: boolean;
}

export class LockoutPolicyDto {
  /** Consecutive failed sign-ins before the account is locked. @example 5 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxFailedAttempts?: number;

  /** How long a lock lasts. @example 900 */
  @IsOptional()
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

  /** How users of this pool may authenticate. @example ["password"] */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(AUTHENTICATION_MECHANISMS.length)
  @ArrayUnique()
  @IsIn(AUTHENTICATION_MECHANISMS, { each: true })
  authenticationMechanisms?: AuthenticationMechanism[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PasswordPolicyDto)
  passwordPolicy?: PasswordPolicyDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SelfRegistrationDto)
  selfRegistration?: SelfRegistrationDto;

  /** How long an invitation link stays valid. @example 72 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  invitationTtlHours?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LockoutPolicyDto)
  lockout?: LockoutPolicyDto;
}
