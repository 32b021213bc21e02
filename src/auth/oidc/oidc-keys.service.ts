import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { OidcKeysRepository } from './oidc-keys.repository';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

function signingKey(type: 'rsa' | 'ec', alg: string): JWK {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg, use: 'sig' };
}

/** The public half of a key set, as published at the issuer's jwks_uri. */
export function publicJwks(keys: JWK[]): { keys: JWK[] } {
  return { keys: keys.map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.includes(name))) as JWK) };
}

/**
 * Each workspace's issuer signs with its own keys: RS256 first (the default every
 * client supports), ES256 beside it. Made on first use and kept in PostgreSQL so every
 * replica signs with the same keys.
 */
@Injectable()
export class OidcKeysService {
  constructor(private readonly repository: OidcKeysRepository) {}

  async forWorkspace(workspaceId: string): Promise<{ jwks: { keys: JWK[] }; cookieKeys: string[] }> {
    const existing = await this.repository.find(workspaceId);
    if (existing) return existing;
    await this.repository.insertIfMissing({
      workspaceId,
      jwks: { keys: [signingKey('rsa', 'RS256'), signingKey('ec', 'ES256')] },
      cookieKeys: [randomBytes(32).toString('base64url')],
    });
    const created = await this.repository.find(workspaceId);
    if (!created) throw new Error(`signing keys of workspace ${workspaceId} vanished after insert`);
    return created;
  }
}
