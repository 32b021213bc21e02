import { IntersectionType } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID } from 'class-validator';
import { Length, MaxLength } from '../../../platform/http/char-length';
import { Trim } from '../../../platform/http/trim';

export class TokenQuery {
  /** The token from the emailed link. @example "EXAMPLE_token_from_the_emailed_link_0000000" */
  @IsString()
  @Length(1, 200)
  token: string;
}

/** A password the user chooses; checked against the pool's password policy. */
class ChosenPassword {
  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(4096)
  password: string;
}

class PersonNames {
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

/** The address of an account; on its own, what the login page's "forgot your password" form asks for. */
export class AccountEmail {
  /** @example "ada@example.com" */
  @Trim()
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;
}

class PoolReference {
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  @IsUUID()
  poolId: string;
}

export class PasswordResetRequestDto extends IntersectionType(PoolReference, AccountEmail) {}

export class AcceptInvitationDto extends IntersectionType(TokenQuery, ChosenPassword, PersonNames) {}

export class RegistrationDto extends IntersectionType(PasswordResetRequestDto, ChosenPassword, PersonNames) {
  /** @example "Ada Lovelace" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class PasswordResetConfirmDto extends IntersectionType(TokenQuery, ChosenPassword) {}

/** A named class, not an inline type: the document keeps no example of an inline object's fields. */
export class InvitationPasswordPolicyResponse {
  /** @example 8 */
  minLength: number;
  /** @example 128 */
  maxLength: number;
}

export class InvitationDetailsResponse {
  /** @example "ada@example.com" */
  email: string;
  /** @example "Customers" */
  poolName: string;
  /** Shown on the page so people know what the password must look like. */
  passwordPolicy: InvitationPasswordPolicyResponse;
  /** @example "2026-11-30T09:00:00.000Z" */
  expiresAt: string;
}
