import { IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Trim } from '../../../platform/http/trim';

export class TokenQuery {
  /** The token from the emailed link. @example "q3J9xQ2mV8pL4tR7wZ1nB5cHk3J9xQ2mV8pL4tR7wZ1" */
  @IsString()
  @Length(1, 200)
  token: string;
}

export class AcceptInvitationDto extends TokenQuery {
  /** Checked against the pool's password policy. @example "correct horse battery staple" */
  @IsString()
  @MaxLength(4096)
  password: string;

  /** @example "Ada" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  givenName?: string;

  /** @example "Lovelace" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  familyName?: string;
}

export class RegistrationDto {
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  @IsUUID()
  poolId: string;

  /** @example "ada@example.com" */
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;

  /** Checked against the pool's password policy. @example "correct horse battery staple" */
  @IsString()
  @MaxLength(4096)
  password: string;

  /** @example "Ada" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  givenName?: string;

  /** @example "Lovelace" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  familyName?: string;

  /** @example "Ada Lovelace" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class PasswordResetRequestDto {
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  @IsUUID()
  poolId: string;

  /** @example "ada@example.com" */
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;
}

export class PasswordResetConfirmDto extends TokenQuery {
  /** Checked against the pool's password policy. @example "a brand new passphrase" */
  @IsString()
  @MaxLength(4096)
  password: string;
}

export class InvitationDetailsResponse {
  /** @example "ada@example.com" */
  email: string;
  /** @example "Customers" */
  poolName: string;
  /** Shown on the page so people know what the password must look like. */
  passwordPolicy: { minLength: number; maxLength: number };
  /** @example "2026-11-30T09:00:00.000Z" */
  expiresAt: string;
}
