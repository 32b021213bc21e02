import { IsOptional, IsString } from 'class-validator';
import { Length, MaxLength } from '../../platform/http/char-length';
import { Trim } from '../../platform/http/trim';

export class CreateWorkspaceDto {
  /** Display name. @example "Acme Corp" */
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;

  /** @example "Production tenant for the customer portal" */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
