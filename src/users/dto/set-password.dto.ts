import { IsString } from 'class-validator';
import { MaxLength } from '../../platform/http/char-length';

export class SetPasswordDto {
  /** Checked against the pool's password policy. @example "correct horse battery staple" */
  @IsString()
  @MaxLength(4096)
  password: string;
}
