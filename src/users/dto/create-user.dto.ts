import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Length, MaxLength } from '../../platform/http/char-length';
import { IsOmittable } from '../../platform/http/optional';
import { AttributesField, UserProfileDto } from './user-profile.dto';

export const CREDENTIAL_MODES = ['invitation', 'password'] as const;

export class CredentialDto {
  /** `invitation` emails a link where the user sets a password (the user needs an `email`); `password` sets it now. @example "password" */
  @IsIn(CREDENTIAL_MODES)
  mode: (typeof CREDENTIAL_MODES)[number];

  /** Only with mode `password`, and then required; checked against the pool's password policy. @example "correct horse battery staple" */
  @IsOmittable()
  @IsString()
  @MaxLength(4096)
  password?: string;
}

/** At least one of `email` and `mobile`; `email` for an invitation. */
export class CreateUserDto extends UserProfileDto {
  /** Free-form JSON object, up to 16 KB as JSON and nested at most 32 deep. @example {"plan": "pro", "locale": "en-GB"} */
  @AttributesField(false)
  attributes?: Record<string, unknown>;

  /** Your own id for the user, unique in the pool (409 otherwise); set at creation only (imports match users by it). @example "crm-1" */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  externalId?: string | null;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CredentialDto)
  credential: CredentialDto;
}
