import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsIn, IsOptional } from 'class-validator';
import { IsOmittable } from '../../platform/http/optional';
import { UserProfileDto } from './user-profile.dto';

export class UpdateUserDto extends UserProfileDto {
  /** `disabled` stops sign-in; `active` re-enables a user that has a password. Never null: leave it out to keep the status. @example "disabled" */
  @IsOmittable()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, required: false, example: null, description: 'Send null to lift a lock after failed sign-ins.' })
  @IsOptional()
  @Equals(null, { message: 'lockedUntil can only be set to null (to unlock)' })
  lockedUntil?: null;
}
