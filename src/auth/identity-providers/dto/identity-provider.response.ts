import { ApiProperty } from '@nestjs/swagger';
import { AUTHENTICATION_MECHANISMS, AuthenticationMechanism } from '../../../pools/pool.entity';

export class IdentityProviderResponse {
  /** @example "2c1b0a9f-8e7d-4c6b-5a4f-3e2d1c0b9a8f" */
  id: string;
  /** @example "6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  workspaceId: string;
  @ApiProperty({ enum: ['identity_pool'], example: 'identity_pool' })
  type: 'identity_pool';
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  poolId: string;
  @ApiProperty({ enum: AUTHENTICATION_MECHANISMS, isArray: true, example: ['password'] })
  signInMethods: AuthenticationMechanism[];
  /** @example true */
  enabled: boolean;
  /** @example 0 */
  priority: number;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  updatedAt: string;
}

export class IdentityProviderPageResponse {
  items: IdentityProviderResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
