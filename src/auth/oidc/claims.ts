import type { AccountProfile } from '../../users/users.service';

export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'groups'] as const;

/** Which claims each scope releases (OIDC Core §5.4, plus `groups`). */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  profile: ['given_name', 'family_name', 'name'],
  email: ['email', 'email_verified'],
  phone: ['phone_number'],
  groups: ['groups'],
};

export type Claims = Record<string, unknown> & { sub: string };

export function profileClaims(profile: AccountProfile, groups?: string[]): Claims {
  const claims: Claims = {
    sub: profile.id,
    email: profile.email ?? undefined,
    email_verified: profile.email ? profile.emailVerified : undefined,
    given_name: profile.givenName ?? undefined,
    family_name: profile.familyName ?? undefined,
    name: profile.name ?? undefined,
    phone_number: profile.mobile ?? undefined,
    groups,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)) as Claims;
}

/** Keeps the claims the scopes release. */
export function filterByScope(claims: Claims, scopes: Iterable<string>): Claims {
  const released = new Set([...scopes].flatMap((scope) => SCOPE_CLAIMS[scope] ?? []));
  return Object.fromEntries(Object.entries(claims).filter(([name]) => released.has(name))) as Claims;
}
