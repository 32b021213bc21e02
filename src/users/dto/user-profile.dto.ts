import { applyDecorators } from '@nestjs/common';
import { IsEmail, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { Length, MaxLength } from '../../platform/http/char-length';
import { Trim } from '../../platform/http/trim';
import { MaxJsonSize } from '../../platform/http/max-json-size';
import { IsOmittable } from '../../platform/http/optional';
import { E164 } from '../user-fields';

/** The most a user's attributes take, as JSON. */
export const ATTRIBUTES_MAX_BYTES = 16 * 1024;

/**
 * A user's free-form attributes: a JSON object of at most 16 KB. `clearable`: null is
 * allowed too (an update's "remove them all").
 */
export function AttributesField(clearable: boolean): PropertyDecorator {
  return applyDecorators(clearable ? IsOptional() : IsOmittable(), IsObject(), MaxJsonSize(ATTRIBUTES_MAX_BYTES));
}

/** The profile fields a user is created with and an admin may change. */
export class UserProfileDto {
  /** Unique in the pool, case-insensitively. @example "ada@example.com" */
  @Trim()
  @IsOptional()
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email?: string | null;

  /** E.164, unique in the pool. @example "+14155550100" */
  @Trim()
  @IsOptional()
  @Matches(E164, { message: 'mobile must be an E.164 number such as +14155550100' })
  mobile?: string | null;

  /** @example "Ada" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  givenName?: string | null;

  /** @example "Lovelace" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  familyName?: string | null;

  /** Display name. @example "Ada Lovelace" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string | null;
}
