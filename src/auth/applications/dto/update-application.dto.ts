import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { AUTH_METHODS, TokenEndpointAuthMethod } from '../application.entity';
import { CreateApplicationDto } from './create-application.dto';

/** The auth method is fixed at creation: it decides whether the client has a secret. */
export class UpdateApplicationDto extends PartialType(CreateApplicationDto, { skipNullProperties: false }) {
  // Documentation only (validation is inherited): the create DTO's text would promise a change PATCH refuses.
  @ApiPropertyOptional({
    type: 'string',
    enum: AUTH_METHODS,
    example: 'client_secret_basic',
    description: 'Fixed at creation: only the current value is accepted (a change is a 400). Create a new application to switch between public and confidential.',
  })
  declare tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
}
