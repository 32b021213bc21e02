import { AppConfig } from '../platform/config/config';
import { PasswordHasher } from './password-hasher';

// Cheap argon2id settings for the tests; the first argon2id vector below was made with them.
const argon2 = { memoryCost: 4096, timeCost: 1, parallelism: 1 };
const hasherWith = (settings = argon2) => new PasswordHasher({ argon2: settings } as AppConfig);

const P1 = 'correct horse battery staple';
const P2 = 'pässwörd-🔑';

/** One vector a format, made by real implementations (see password-formats.spec.ts for their sources). */
const LEGACY: Array<{ format: string; password: string; hash: string }> = [
  { format: 'argon2id', password: P2, hash: '$argon2id$v=19$m=8192,t=2,p=2$obVxohv7o/ara32sEoW/jw$z+6eMuRLv6hnY0TtbuIV0YG1+fUpQe6WnLQ1B8XIVbc' },
  { format: 'argon2id', password: P1, hash: '$argon2id$v=16$m=4096,t=1,p=1$CV6PDGyadl4TagQMGUV8uQ$CDU4o089PJXqmzXB2A10qVWfr+jAKunUnrLhWAjRO20' },
  { format: 'argon2i', password: P1, hash: '$argon2i$v=19$m=4096,t=2,p=1$q2Nqotxno0TB8C2nyIIfOg$v6CA8lHSDmrffIHl/aliGDHBOKhfnW8hdXu6jDcij64' },
  { format: 'bcrypt', password: P2, hash: '$2y$04$lInDVQcj.zYln.3H5HhAbuxH3AOPLPz.hVoAT51lDB9PFq5Je82G2' },
  { format: 'scrypt', password: P1, hash: '$scrypt$ln=8,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI' },
  { format: 'pbkdf2-sha1', password: P1, hash: '$pbkdf2$1000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA' },
  { format: 'pbkdf2-sha256', password: P2, hash: '$pbkdf2-sha256$1000$DgGg1Nrb.9.b8z7HeG.NkQ$bV0IayPpPCVaakssSl9w2PYLTwPveGEC10zOe6AsXTk' },
  { format: 'pbkdf2-sha512', password: P1, hash: '$pbkdf2-sha512$1000$uhcCoNT6v9d6b.19r9W6Nw$nIOPzubvKFrz3VjPuJoTZ.7LshICGAfK9FJhnTSlhpeRgkZlCMpc2Vn1KpMUCMhaaJPgs78A0z3e4rIMaDzPIA' },
  { format: 'django-pbkdf2-sha256', password: P1, hash: 'pbkdf2_sha256$1000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=' },
  { format: 'sha512-crypt', password: P1, hash: '$6$EXl2ReMK5ozvu3/V$N1/axuljfY5cX/LowEKYkeqwheIDskPkn9Y2E5eylWuzB3AZYVom2B6UwZt8Umisu32NgE.zK9OJ0ZVHDnyr1.' },
  { format: 'sha256-crypt', password: P2, hash: '$5$eeuLKfomP85NM/Sl$uNqB55yvUl7d.fTYc.C24ukP52t.2bU2yshWnFD3wuB' },
  { format: 'md5-crypt', password: P1, hash: '$1$UahFhh1H$YeeIDFGi1XTSkSDzBJ4Yh.' },
  { format: 'ldap-ssha', password: P1, hash: '{SSHA}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI' },
  { format: 'ldap-ssha256', password: P2, hash: '{SSHA256}SaamRH9GeXzOhHqFuHqQIIZ9j9UPlYZ0pLtW/HIU+eoqBeCcUwqh1A==' },
  { format: 'ldap-ssha512', password: P1, hash: '{SSHA512}PloPvzF2qUqqB4cDVnq5elea7e6VSlZQD9I0CxTL1POoj0Hcs23NwarXk45ypnhIZkwzEEzycx3qv4YYv32JXG2t1TonRGht' },
];

/** Made by the argon2 package with exactly the settings above. */
const CURRENT = { password: P1, hash: '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8' };

describe('PasswordHasher', () => {
  const hasher = hasherWith();

  it('hashes with argon2id at the configured cost, and verifies its own hashes', async () => {
    const hash = await hasher.hash(P2);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
    await expect(hasher.verify(hash, P2)).resolves.toBe(true);
    await expect(hasher.verify(hash, P1)).resolves.toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(hasher.isSupported(hash)).toBe(true);
  });

  it('does not rehash argon2id made with the configured parameters', async () => {
    expect(hasher.needsRehash(CURRENT.hash)).toBe(false);
    await expect(hasher.verify(CURRENT.hash, CURRENT.password)).resolves.toBe(true);
  });

  describe.each(LEGACY)('$format: $hash', ({ format, password, hash }) => {
    it('verifies the right password and no other', async () => {
      await expect(hasher.verify(hash, password)).resolves.toBe(true);
      await expect(hasher.verify(hash, password + ' ')).resolves.toBe(false);
      await expect(hasher.verify(hash, '')).resolves.toBe(false);
    });

    it('is supported for import, and needs a rehash', () => {
      expect(hasher.isSupported(hash)).toBe(true);
      expect(hasher.checkHash(hash)).toEqual({ supported: true, format });
      expect(hasher.needsRehash(hash)).toBe(true);
    });
  });

  it('upgrades a legacy hash into one that needs no rehash', async () => {
    const { password, hash } = LEGACY.find((vector) => vector.format === 'bcrypt')!;
    expect(await hasher.verify(hash, password)).toBe(true);
    expect(hasher.needsRehash(hash)).toBe(true);
    const upgraded = await hasher.hash(password);
    expect(hasher.needsRehash(upgraded)).toBe(false);
    await expect(hasher.verify(upgraded, password)).resolves.toBe(true);
  });

  describe('hashes in no supported format', () => {
    const unusable = [
      '',
      'plaintext',
      '5f4dcc3b5aa765d61d8327deb882cf99',
      '$2x$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
      '$2b$20$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
      '$argon2id$v=19$m=4194304,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$pbkdf2-sha256$1000$e./d29s755zTWuv9/7.X8g',
    ];

    it.each(unusable)('%j is refused for import, never verifies, and needs a rehash', async (hash) => {
      expect(hasher.isSupported(hash)).toBe(false);
      expect(hasher.checkHash(hash).supported).toBe(false);
      await expect(hasher.verify(hash, P1)).resolves.toBe(false);
      expect(hasher.needsRehash(hash)).toBe(true);
    });

    it('costs a dummy verification, like an unknown user', async () => {
      const spent = jest.spyOn(hasher, 'verifyNothing');
      await expect(hasher.verify('plaintext', 'plaintext')).resolves.toBe(false);
      expect(spent).toHaveBeenCalledWith('plaintext');
      spent.mockRestore();
    });

    it('says why, for the import error report', () => {
      expect(hasher.checkHash('plaintext')).toEqual({ supported: false, code: 'unknown_format', message: 'unknown password hash format' });
      expect(hasher.checkHash('$2b$20$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2')).toMatchObject({
        supported: false,
        code: 'invalid_hash',
        format: 'bcrypt',
      });
    });
  });

  it('always accepts argon2id at its own configured cost, even above the import limits', () => {
    const big = { memoryCost: 512 * 1024, timeCost: 12, parallelism: 1 };
    const hash = '$argon2id$v=19$m=524288,t=12,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8';
    expect(hasher.isSupported(hash)).toBe(false);
    const generous = hasherWith(big);
    expect(generous.isSupported(hash)).toBe(true);
    expect(generous.needsRehash(hash)).toBe(false);
  });

  it('verifyNothing always fails', async () => {
    await expect(hasher.verifyNothing(P1)).resolves.toBe(false);
  });
});
