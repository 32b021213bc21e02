import { IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import { Length } from '../../platform/http/char-length';
import { EmptyAsAbsent } from '../../platform/http/optional';
import { PageQuery } from '../../platform/pagination/page';
import { USER_STATUSES, UserStatus } from '../user.entity';

export class ListUsersQuery extends PageQuery {
  /** Case-insensitive prefix of email, mobile, given, family or display name; a number such as `+1 (415) 555` is searched as `+1415555`. An empty value filters nothing. @example "ada" */
  @IsOptional()
  @EmptyAsAbsent()
  @IsString()
  @Length(1, 320)
  search?: string;

  /** Only users in this status. @example "active" */
  @IsOptional()
  @EmptyAsAbsent()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  /** Only members of this group; a group this workspace does not have is a 404. @example "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a" */
  @IsOptional()
  @EmptyAsAbsent()
  @IsUUID()
  groupId?: string;
}
