import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsIn, IsOptional } from 'class-validator';
import { IsOmittable } from '../../platform/http/optional';
import { AttributesField, UserProfileDto } from './user-profile.dto';

export class UpdateUserDto extends UserProfileDto {
  /**
   * Merged into the stored attributes (RFC 7396: members replace or add, nested objects
   * merge, a member set to null is removed), at most 16 KB once merged; null removes them all.
   * @example {"plan": "team", "trial": null}
   */
  @AttributesField(true)
  attributes?: Record<string, unknown> | null;

  /** `disabled` stops sign-in; `active` re-enables a user that has a password. Never null: leave it out to keep the status. @example "disabled" */
  @IsOmittable()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, required: false, example: null, description: 'Send null to lift a lock after failed sign-ins.' })
  @IsOptional()
  @Equals(null, { message: 'lockedUntil can only be set to null (to unlock)' })
  lockedUntil?: null;
}
