import express from 'express';
import { ConfigError, loadConfig, redactUrl } from './config';

const KEY = 'unit-test-root-key-0123456789abcdefghij';
const load = (env: Record<string, string>) => loadConfig({ ROOT_API_KEY: KEY, ...env });
const refusal = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe('loadConfig', () => {
  it('documents its defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      role: 'all',
      mailFrom: 'Identity Pools <no-reply@localhost>',
      trustProxy: null,
      smtpUrl: null,
      argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
      rootApiKeyGenerated: true,
    });
  });

  // libuv would quietly fall back to 4 threads for these.
  it.each(['many', '0', '2000', '4.5'])('refuses UV_THREADPOOL_SIZE=%p, naming it', (value) => {
    expect(refusal({ UV_THREADPOOL_SIZE: value })).toMatch(/^UV_THREADPOOL_SIZE must be/);
  });

  describe('TRUST_PROXY', () => {
    it.each([
      ['1', 1],
      ['true', true],
      ['10.0.0.0/8, 192.168.1.1', ['10.0.0.0/8', '192.168.1.1']],
      ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
      ['::1/128', ['::1/128']],
      ['10.0.0.0/255.0.0.0, fe80::/10', ['10.0.0.0/255.0.0.0', 'fe80::/10']],
    ])('accepts %p', (value, expected) => {
      expect(load({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
    });

    // Express refused these only when the app was built, after migrations: a stack trace, not one line.
    it.each(['yes', '10.0.0.0/33', '10.0.0.0/8,garbage', '-1', '10.0.0.1/0', '10.0.0.0/255.0.0.1', 'fe80::/129', '10.0.0.0/8/8'])('refuses %p, naming the variable', (value) => {
      expect(refusal({ TRUST_PROXY: value })).toMatch(/^TRUST_PROXY must be a hop count .* got "/);
    });

    // Whatever is accepted here, Express must accept too, or the start fails later with a stack trace.
    it('accepts only what Express accepts', () => {
      for (const value of ['10.0.0.0/8', '::ffff:10.0.0.1', '10.0.0.0/255.255.255.0', '192.168.0.0/255.255.0.0', 'linklocal', '2001:db8::/32']) {
        const trustProxy = load({ TRUST_PROXY: value }).trustProxy;
        expect(() => express().set('trust proxy', trustProxy)).not.toThrow();
      }
    });
  });

  describe('ROOT_API_KEY', () => {
    // The guard reads the key as one run of visible characters: such a key could never be used.
    it.each([
      ['a space', 'my very long root passphrase with spaces'],
      ['a trailing newline', `${KEY}\n`],
      ['a tab', `${KEY}\tx`],
      ['non-ASCII letters', `${KEY}ключ`],
    ])('refuses a key with %s, without printing it', (_what, key) => {
      const message = refusal({ ROOT_API_KEY: key });
      expect(message).toMatch(/^ROOT_API_KEY must be printable ASCII without spaces/);
      expect(message).not.toContain(key.trim());
    });

    it('still refuses a short key, and accepts what openssl rand -base64 32 prints', () => {
      expect(refusal({ ROOT_API_KEY: 'short' })).toMatch(/at least 32 characters/);
      expect(load({ ROOT_API_KEY: 'q8h0bV0G2Xy+H8Lr1Q3g/2J4Zt9d5wq7Yq0pP1s2c3E=' }).rootApiKey).toBe('q8h0bV0G2Xy+H8Lr1Q3g/2J4Zt9d5wq7Yq0pP1s2c3E=');
    });
  });

  describe('MAIL_FROM', () => {
    it.each(['no-reply@example.com', 'Acme Identity <no-reply@acme.example>', '"Acme, Inc." <id@acme.example>'])('accepts %p', (value) => {
      expect(load({ MAIL_FROM: value }).mailFrom).toBe(value);
    });

    it.each(['garbage', 'Acme Identity', 'a@example.com, b@example.com', '<@example.com>'])('refuses %p, which no SMTP server takes as a sender', (value) => {
      expect(refusal({ MAIL_FROM: value })).toMatch(/^MAIL_FROM must be one email address/);
    });
  });

  describe('PUBLIC_URL', () => {
    it('accepts a path prefix and drops trailing slashes', () => {
      expect(load({ PUBLIC_URL: 'https://example.com/identity/' }).publicUrl).toBe('https://example.com/identity');
    });

    // Links are built by appending paths: `https://id.example.com/?x=1/self-service/...` leads nowhere.
    it.each(['https://id.example.com/?x=1', 'https://id.example.com#top', 'https://id.example.com/?', 'https://admin:pw@id.example.com'])('refuses %p', (value) => {
      const message = refusal({ PUBLIC_URL: value });
      expect(message).toMatch(/^PUBLIC_URL must be a base URL without a query, fragment or credentials/);
      expect(message).not.toContain(':pw@');
    });
  });
});

describe('redactUrl', () => {
  it('hides the password of a URL with a user, without one (Redis), or with an unencoded @ in it', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/ip')).toBe('postgres://app:***@db:5432/ip');
    expect(redactUrl('redis://:s3cret@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redactUrl('postgres://app:p@ss@db/ip')).toBe('postgres://app:***@db/ip');
    expect(redactUrl('smtps://mailer%40example.com:pw@smtp.example.com:465')).toBe('smtps://mailer%40example.com:***@smtp.example.com:465');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/identity_pools')).toBe('postgres://postgres@127.0.0.1:5432/identity_pools');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
