import { IsString, Length } from 'class-validator';
import { Trim } from '../../platform/http/trim';

export class CreateApiKeyDto {
  /** What the key is for, to recognise it later. @example "provisioning script" */
  @Trim()
  @IsString()
  @Length(1, 100)
  name: string;
}
