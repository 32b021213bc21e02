import { PartialType } from '@nestjs/swagger';
import { CreatePoolDto } from './create-pool.dto';

/** Nested policies are merged: `{"lockout": {"maxFailedAttempts": 3}}` keeps the lock duration. */
export class UpdatePoolDto extends PartialType(CreatePoolDto, { skipNullProperties: false }) {}
