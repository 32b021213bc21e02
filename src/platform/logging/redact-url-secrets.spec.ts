import { redactUrlSecrets } from './logging.module';

describe('redactUrlSecrets', () => {
  it('removes link tokens, codes, passwords and the OIDC hints that name a user, keeping the rest', () => {
    const url = '/oidc/ws/session/end?id_token_hint=eyJ.a.b&post_logout_redirect_uri=https%3A%2F%2Fapp&login_hint=ada%40example.com&logout_hint=x&token=t&code=c&state=s';
    expect(redactUrlSecrets(url)).toBe(
      '/oidc/ws/session/end?id_token_hint=[Redacted]&post_logout_redirect_uri=https%3A%2F%2Fapp&login_hint=[Redacted]&logout_hint=[Redacted]&token=[Redacted]&code=[Redacted]&state=s',
    );
  });
});
