import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SessionRevoker } from '../../users/session-revoker';
import { OidcPayload } from './oidc-payload.entity';

/** Deletes the user's issuer records (sessions, grants, codes, refresh tokens) in every workspace. */
@Injectable()
export class OidcSessionRevoker extends SessionRevoker {
  async revokeAll(tx: EntityManager, userId: string): Promise<void> {
    await tx.getRepository(OidcPayload).delete({ accountId: userId });
  }
}

/** Global so the users module can depend on the abstraction without importing auth. */
@Global()
@Module({ providers: [{ provide: SessionRevoker, useClass: OidcSessionRevoker }], exports: [SessionRevoker] })
export class SessionRevocationModule {}
