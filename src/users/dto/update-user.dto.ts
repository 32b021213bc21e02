import { IsIn, IsOptional } from 'class-validator';
import { UserProfileDto } from './user-profile.dto';

export class UpdateUserDto extends UserProfileDto {
  /** `disabled` stops sign-in; `active` re-enables a user that has a password. @example "disabled" */
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}
