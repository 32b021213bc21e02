import type { EntityManager } from 'typeorm';

/**
 * Ends every session, grant and refresh token of a user, inside the caller's
 * transaction. The users module decides when (disable, delete, password change); the
 * module that issues tokens provides it (dependency inversion keeps the two acyclic).
 */
export abstract class SessionRevoker {
  abstract revokeAll(tx: EntityManager, userId: string): Promise<void>;
}
