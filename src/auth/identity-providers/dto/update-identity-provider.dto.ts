import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateIdentityProviderDto } from './create-identity-provider.dto';

export class UpdateIdentityProviderDto extends PartialType(OmitType(CreateIdentityProviderDto, ['type', 'poolId'] as const), { skipNullProperties: false }) {}
