import { IsString, MaxLength } from 'class-validator';

export class SetPasswordDto {
  /** Checked against the pool's password policy. @example "correct horse battery staple" */
  @IsString()
  @MaxLength(4096)
  password: string;
}
