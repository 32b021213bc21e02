import { redactUrlSecrets } from './logging.module';

describe('redactUrlSecrets', () => {
  it('removes link tokens, codes, passwords and the OIDC hints that name a user, keeping the rest', () => {
    const url = '/oidc/ws/session/end?id_token_hint=eyJ.a.b&post_logout_redirect_uri=https%3A%2F%2Fapp&login_hint=ada%40example.com&logout_hint=x&token=t&code=c&state=s';
    expect(redactUrlSecrets(url)).toBe(
      '/oidc/ws/session/end?id_token_hint=[Redacted]&post_logout_redirect_uri=https%3A%2F%2Fapp&login_hint=[Redacted]&logout_hint=[Redacted]&token=[Redacted]&code=[Redacted]&state=s',
    );
  });
});

describe('redactUrlSecrets of API keys sent in the URL', () => {
  it('removes a key under the names other APIs read it from, in any case', () => {
    expect(redactUrlSecrets('/v1/workspaces?api_key=k1&limit=5&apiKey=k2&key=k3&X-API-KEY=k4&secret=k5&authorization=Bearer%20k6')).toBe(
      '/v1/workspaces?api_key=[Redacted]&limit=5&apiKey=[Redacted]&key=[Redacted]&X-API-KEY=[Redacted]&secret=[Redacted]&authorization=[Redacted]',
    );
  });
});

describe('redactUrlSecrets in redirects', () => {
  it('removes an authorization code or tokens from a Location, in its query or fragment', () => {
    expect(redactUrlSecrets('https://app/cb?code=abc&state=s&iss=x')).toBe('https://app/cb?code=[Redacted]&state=s&iss=x');
    expect(redactUrlSecrets('https://app/cb#access_token=t1&id_token=t2&state=s')).toBe('https://app/cb#access_token=[Redacted]&id_token=[Redacted]&state=s');
    expect(redactUrlSecrets('/oidc/ws/userinfo?access_token=t&code_verifier=v')).toBe('/oidc/ws/userinfo?access_token=[Redacted]&code_verifier=[Redacted]');
  });
});
