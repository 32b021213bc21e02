import { adapterFor } from './oidc.adapter';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

/** PostgreSQL fails the whole statement on a NUL; the lookup must not get that far. */
describe('adapterFor', () => {
  const refused = () => Promise.reject(new Error('PostgreSQL was asked'));
  const store = { find: refused, findWithGrantAndAccount: refused } as unknown as OidcPayloadsRepository;
  const Adapter = adapterFor('workspace', store, refused);

  it.each(['Client', 'Grant', 'RefreshToken', 'AuthorizationCode', 'AccessToken', 'Session'])('finds no %s by an id PostgreSQL cannot store', async (model) => {
    await expect(new Adapter(model).find('a\u0000b')).resolves.toBeUndefined();
  });

  it('finds nothing by a uid or user code PostgreSQL cannot store', async () => {
    await expect(new Adapter('Session').findByUid('a\u0000b')).resolves.toBeUndefined();
    await expect(new Adapter('DeviceCode').findByUserCode('a\ud800b')).resolves.toBeUndefined();
  });
});
