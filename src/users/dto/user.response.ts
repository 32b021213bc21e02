import { ApiProperty } from '@nestjs/swagger';
import { UserStatus } from '../user.entity';

export class InvitationSummaryResponse {
  /** @example "sent" */
  status: 'queued' | 'sent' | 'failed' | 'accepted' | 'expired';
  /** @example "2026-11-27T09:00:02.000Z" */
  sentAt: string | null;
  /** @example "2026-11-30T09:00:00.000Z" */
  expiresAt: string;
}

export class UserResponse {
  /** @example "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d" */
  id: string;
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  poolId: string;
  /** @example "ada@example.com" */
  email: string | null;
  /** @example "+14155550100" */
  mobile: string | null;
  /** @example "Ada" */
  givenName: string | null;
  /** @example "Lovelace" */
  familyName: string | null;
  /** @example "Ada Lovelace" */
  name: string | null;
  /** @example "active" */
  status: UserStatus;
  /** @example false */
  emailVerified: boolean;
  /** @example "crm-1" */
  externalId: string | null;
  /** @example {"plan": "pro"} */
  attributes: Record<string, unknown>;
  /** The latest invitation, or null when there is none: never invited, or withdrawn (password set by an admin, user disabled, address changed). */
  invitation: InvitationSummaryResponse | null;
  // The plugin drops a doc-comment `@example null`, so a null example is declared here.
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null, description: 'Set while the account is locked after failed sign-ins.' })
  lockedUntil: string | null;
  /** @example "2026-11-27T10:15:00.000Z" */
  lastSignInAt: string | null;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /**
   * Moves when the profile, status, email proof or password changes, and only then: a PATCH
   * that changes nothing leaves it, and so does sign-in bookkeeping (`lastSignInAt`, `lockedUntil`).
   * @example "2026-11-27T09:00:00.000Z"
   */
  updatedAt: string;
}

export class UserPageResponse {
  items: UserResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
