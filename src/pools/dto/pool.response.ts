import { ApiProperty } from '@nestjs/swagger';
import { AUTHENTICATION_MECHANISMS, AuthenticationMechanism, LockoutPolicy, PasswordPolicy, SelfRegistration } from '../pool.entity';

export class PasswordPolicyResponse implements PasswordPolicy {
  /** @example 8 */
  minLength: number;
  /** @example 128 */
  maxLength: number;
}

export class SelfRegistrationResponse implements SelfRegistration {
  /** @example false */
  enabled: boolean;
  /** @example true */
  requireEmailVerification: boolean;
}

export class LockoutPolicyResponse implements LockoutPolicy {
  /** @example 5 */
  maxFailedAttempts: number;
  /** @example 900 */
  durationSeconds: number;
}

export class PoolResponse {
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  id: string;
  /** @example "6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  workspaceId: string;
  /** @example "Customers" */
  name: string;
  /** @example "Customer portal accounts" */
  description: string | null;
  @ApiProperty({ enum: AUTHENTICATION_MECHANISMS, isArray: true, example: ['password'] })
  authenticationMechanisms: AuthenticationMechanism[];
  passwordPolicy: PasswordPolicyResponse;
  selfRegistration: SelfRegistrationResponse;
  /** @example 72 */
  invitationTtlHours: number;
  lockout: LockoutPolicyResponse;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  updatedAt: string;
}

export class PoolPageResponse {
  items: PoolResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
