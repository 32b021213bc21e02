import { IsString } from 'class-validator';
import { Length } from '../../platform/http/char-length';
import { Trim } from '../../platform/http/trim';

export class CreateApiKeyDto {
  /** What the key is for, to recognise it later. @example "provisioning script" */
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;
}
