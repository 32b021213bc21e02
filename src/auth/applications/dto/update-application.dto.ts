import { PartialType } from '@nestjs/swagger';
import { CreateApplicationDto } from './create-application.dto';

/** The auth method is fixed at creation: it decides whether the client has a secret. */
export class UpdateApplicationDto extends PartialType(CreateApplicationDto, { skipNullProperties: false }) {}
