import { IsOptional, IsString } from 'class-validator';
import { Length, MaxLength } from '../../platform/http/char-length';
import { Trim } from '../../platform/http/trim';

export class CreateGroupDto {
  /** Unique in the workspace, case-insensitively. @example "admins" */
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;

  /** @example "People who manage billing" */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
