import { createHash } from 'node:crypto';
import { checkHash, DEFAULT_LIMITS, detectFormat, MAX_HASH_LENGTH, PasswordFormatId, PasswordFormatRegistry, passwordFormats, verifyAny } from '.';

/*
 * Test vectors, made by real implementations when these tests were written and pasted
 * here as constants (no vector is computed by the code under test):
 *   argon2:        the `argon2` npm package 0.44 (argon2.hash, types argon2id / argon2i)
 *   bcrypt:        bcryptjs 3.0.3, and Python's `bcrypt` 3.2 (the C implementation) for
 *                  `$2a$`/`$2b$`; the `$2a$05$CCC…` vector is Openwall crypt_blowfish's own
 *                  test vector, the `$2y$10$.vGA…` one PHP's password_hash manual example
 *   scrypt:        passlib 1.7.4 (`scrypt.hash`), one made with node:crypto in passlib's
 *                  form and checked with passlib.scrypt.verify
 *   PBKDF2:        passlib 1.7.4 (`pbkdf2_sha1` writes `$pbkdf2$`), the `$pbkdf2-sha1$` one
 *                  with node:crypto + ab64, its `$pbkdf2$` twin checked by passlib; the
 *                  512-bit (Keycloak) keys with Python's hashlib.pbkdf2_hmac + ab64
 *   Django:        passlib's django_pbkdf2_sha256, one by node:crypto checked by passlib
 *   SHA-crypt:     `openssl passwd -5` / `-6` (OpenSSL 3.0.19, with `-salt 'rounds=N$…'`
 *                  for explicit rounds), glibc/libxcrypt crypt(3) via Python's crypt module,
 *                  passlib's sha256_crypt/sha512_crypt; `$5$saltstring$5B8v…` is the test
 *                  vector of Drepper's specification
 *   MD5-crypt:     `openssl passwd -1`, passlib's md5_crypt
 *   LDAP:          passlib's ldap_salted_sha1/256/512 (4-byte salts) and node:crypto
 *                  digest||salt with 4, 8 and 16-byte salts, checked by passlib
 */
const P1 = 'correct horse battery staple';
const P2 = 'pässwörd-🔑';
const P3 = 'Tr0ub4dour&3-a-password-longer-than-sixty-four-bytes-so-the-stretching-loops-wrap-around!!';

interface Vector {
  password: string;
  hash: string;
}

interface FormatTable {
  vectors: Vector[];
  /** Strings of this format's family that must be refused (not detected, verify false). */
  malformed: string[];
}

const TABLES: Record<PasswordFormatId, FormatTable> = {
  argon2id: {
    vectors: [
      { password: P1, hash: '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8' },
      { password: P2, hash: '$argon2id$v=19$m=8192,t=2,p=2$obVxohv7o/ara32sEoW/jw$z+6eMuRLv6hnY0TtbuIV0YG1+fUpQe6WnLQ1B8XIVbc' },
      { password: P1, hash: '$argon2id$v=16$m=4096,t=1,p=1$CV6PDGyadl4TagQMGUV8uQ$CDU4o089PJXqmzXB2A10qVWfr+jAKunUnrLhWAjRO20' },
    ],
    malformed: [
      '$argon2id$',
      '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ',
      '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8$',
      '$argon2id$v=20$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=04096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=0,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$t=1,m=4096,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=1,p=1,data=YQ$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      // Salt of 4 bytes; padded and non-canonical base64; a character outside the alphabet.
      '$argon2id$v=19$m=4096,t=1,p=1$li6ApQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ==$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBR$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm_',
      // Over the caps: 4 GiB of memory, 1,000 passes, 64 lanes, 256 MiB × 8 passes.
      '$argon2id$v=19$m=4194304,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=1000,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=4096,t=1,p=64$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=262144,t=8,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      '$argon2id$v=19$m=99999999999,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
    ],
  },
  argon2i: {
    vectors: [
      { password: P1, hash: '$argon2i$v=19$m=4096,t=2,p=1$q2Nqotxno0TB8C2nyIIfOg$v6CA8lHSDmrffIHl/aliGDHBOKhfnW8hdXu6jDcij64' },
      { password: P2, hash: '$argon2i$v=19$m=4096,t=1,p=1$glVt1bifduSBIXexIHeKbg$iN4rpplmMPG36kpH1OAUC+/aWnZvDvZDKY9ShCw9MFw' },
    ],
    malformed: [
      '$argon2i$v=19$m=4096,t=2,p=1$q2Nqotxno0TB8C2nyIIfOg',
      '$argon2i$v=19$m=4096,t=2,p=1$q2Nqotxno0TB8C2nyIIfOg$v6CA8lHSDmrffIHl/aliGDHBOKhfnW8hdXu6jDcij64=',
      '$argon2i$v=19$m=4096,t=2,p=$q2Nqotxno0TB8C2nyIIfOg$v6CA8lHSDmrffIHl/aliGDHBOKhfnW8hdXu6jDcij64',
      '$argon2i$v=19$m=8388608,t=2,p=1$q2Nqotxno0TB8C2nyIIfOg$v6CA8lHSDmrffIHl/aliGDHBOKhfnW8hdXu6jDcij64',
    ],
  },
  bcrypt: {
    vectors: [
      { password: P1, hash: '$2b$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2' },
      { password: P3, hash: '$2b$05$OGQaqbxObMw7QVbn9O0CZudI8K4FCC.Nsk2N9uMSn78Imp3eOSlWu' },
      { password: P2, hash: '$2y$04$lInDVQcj.zYln.3H5HhAbuxH3AOPLPz.hVoAT51lDB9PFq5Je82G2' },
      { password: P1, hash: '$2a$04$oJpkcJcDSxK1VocsvWa4q..Yb4PbTLZ.BY29kZyH1CrZAUAZPGcI6' },
      { password: P1, hash: '$2a$05$O6zv.V1wM3cN.OBK9MoQneU/QFOiTUhprfpaXjOHb6rM08RYtgYfG' },
      { password: P2, hash: '$2b$04$NhHxD/w4ZrpaALWYBBNno.QvjAU3DuVhPyQABRwM7GMlAbf3j9jAi' },
      { password: 'U*U', hash: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' },
      { password: 'rasmuslerdorf', hash: '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a' },
    ],
    malformed: [
      '$2b$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n',
      '$2b$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n22',
      '$2b$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n!',
      '$2b$4$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n22',
      '$2b$03$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
      '$2b$32$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
      '$2b$99$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
      // Cost 15 and 31: over the cap of 14.
      '$2b$15$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
      '$2a$31$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
    ],
  },
  scrypt: {
    vectors: [
      { password: P1, hash: '$scrypt$ln=8,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI' },
      { password: P2, hash: '$scrypt$ln=8,r=8,p=1$mBPCuNdaSwlhTInxXuu9dw$ff5aqFinqMCjZz27/S5KlboRjpI/Vh1r5uOQUM7Li1g' },
      { password: P3, hash: '$scrypt$ln=4,r=4,p=2$+b+XUmqtVWpt7T0HAGDMWQ$dTQTVDmwHvf9MRaR3M4aoqIiY1uVdJ6L7wiYVfwWjyM' },
      { password: P1, hash: '$scrypt$ln=6,r=8,p=3$0lMT6utYwaenQInnfb3G8Q$kk5XZoouXlX+4e+CA+sQV9TSzQNcrT/XH3y6S9ainA8' },
    ],
    malformed: [
      '$scrypt$ln=8,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA',
      '$scrypt$ln=8,r=8$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$r=8,ln=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=0,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=8,r=0,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=08,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      // ab64 ('.') is passlib's PBKDF2 encoding, not its scrypt one; padding; a 31-byte checksum.
      '$scrypt$ln=8,r=8,p=1$.n/vnbOWcs65t/b.3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=8,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA==$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=8,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNA',
      // Over the caps: 1 GiB (ln=20, r=8), 2^64, absurd r, N·r·p = 2^24.
      '$scrypt$ln=20,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=64,r=8,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=8,r=4294967295,p=1$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
      '$scrypt$ln=14,r=8,p=128$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
    ],
  },
  'pbkdf2-sha1': {
    vectors: [
      { password: P1, hash: '$pbkdf2$1000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA' },
      { password: P2, hash: '$pbkdf2$1000$udc6Z0xpLcXYG2NsbQ0BQA$DcaeiCqHPa4DPO2hMQut50zlN1o' },
      { password: P3, hash: '$pbkdf2-sha1$1200$KMIc0S8Top9NaFd19KG8dw$.0uCf/bDyT9qOKVt9rNkPxZwijo' },
      // Keycloak's 512-bit key (four SHA-1 blocks), in passlib's form.
      { password: P1, hash: '$pbkdf2$20000$ci7lvLfWuldK6b2XUmoNoQ$6ehzNgWnV68zk5Jr5GfHCsbnaGbnU09eYNggooYqTKUFieQ8UbK9fzCN8pIHRah.BfdgGcAk79FGqbZ3cqN1KA' },
    ],
    malformed: [
      '$pbkdf2$1000$ci7lvLfWuldK6b2XUmoNoQ',
      '$pbkdf2$0$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA',
      '$pbkdf2$01000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA',
      '$pbkdf2$-1000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA',
      '$pbkdf2$1000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u+60oBEDpA',
      '$pbkdf2-sha1$1000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBED',
      '$pbkdf2$4294967295$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA',
      '$pbkdf2$2000001$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA',
    ],
  },
  'pbkdf2-sha256': {
    vectors: [
      { password: P1, hash: '$pbkdf2-sha256$1000$e./d29s755zTWuv9/7.X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE' },
      { password: P2, hash: '$pbkdf2-sha256$1000$DgGg1Nrb.9.b8z7HeG.NkQ$bV0IayPpPCVaakssSl9w2PYLTwPveGEC10zOe6AsXTk' },
      { password: P3, hash: '$pbkdf2-sha256$1000$yXmvtRYC4Pyfc26t1TrnHA$xE9YmNaYoCKeoimxyyk2ymH06gN/1cf0d/WanqmZ0AA' },
      // Keycloak's pbkdf2-sha256: 27,500 iterations, a 512-bit key.
      { password: P1, hash: '$pbkdf2-sha256$27500$ci7lvLfWuldK6b2XUmoNoQ$OcXfX3zMoy5Y/f4wtmLef8zVtyvzSZE0Lab4IUkeXhX5qa6T1cOXIei0fWqB/JSKo7ZDjhUgJy4NN1UBSwgg9Q' },
    ],
    malformed: [
      '$pbkdf2-sha256$1000$e./d29s755zTWuv9/7.X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE$',
      '$pbkdf2-sha256$$e./d29s755zTWuv9/7.X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE',
      '$pbkdf2-sha256$1000$e+/d29s755zTWuv9/7+X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE',
      // A SHA-1-sized checksum under the SHA-256 identifier.
      '$pbkdf2-sha256$1000$ci7lvLfWuldK6b2XUmoNoQ$QoKvUNE5TsSmB8Db4u.60oBEDpA',
      '$pbkdf2-sha256$99999999999$e./d29s755zTWuv9/7.X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE',
      '$pbkdf2-sha256$1e6$e./d29s755zTWuv9/7.X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE',
      // Two key blocks at more than half the iteration cap: over the work limit.
      '$pbkdf2-sha256$1000001$ci7lvLfWuldK6b2XUmoNoQ$UyDyPamQyo3YU2VBe0NAnjl79iRweIFqqL7tduWExAIVPi2ZNRSgu.XDwWMJVEeiLUAaGAmA2qffKwOR71/GZw',
    ],
  },
  'pbkdf2-sha512': {
    vectors: [
      { password: P1, hash: '$pbkdf2-sha512$1000$uhcCoNT6v9d6b.19r9W6Nw$nIOPzubvKFrz3VjPuJoTZ.7LshICGAfK9FJhnTSlhpeRgkZlCMpc2Vn1KpMUCMhaaJPgs78A0z3e4rIMaDzPIA' },
      { password: P2, hash: '$pbkdf2-sha512$1000$wBiDUGrN2ZuT0novJeRcKw$KcE6Qn2YTSJUljXXrrpHEi99IN9FOJwlWQNrUP6KCJV3ree.4zxK26SkXFTuQQh6kXk4fW2Nqus/TcCm8iLGJg' },
    ],
    malformed: [
      '$pbkdf2-sha512$1000$uhcCoNT6v9d6b.19r9W6Nw$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE',
      '$pbkdf2-sha512$1000$uhcCoNT6v9d6b.19r9W6Nw$nIOPzubvKFrz3VjPuJoTZ.7LshICGAfK9FJhnTSlhpeRgkZlCMpc2Vn1KpMUCMhaaJPgs78A0z3e4rIMaDzPIA==',
      '$pbkdf2-sha512$3000000$uhcCoNT6v9d6b.19r9W6Nw$nIOPzubvKFrz3VjPuJoTZ.7LshICGAfK9FJhnTSlhpeRgkZlCMpc2Vn1KpMUCMhaaJPgs78A0z3e4rIMaDzPIA',
    ],
  },
  'django-pbkdf2-sha256': {
    vectors: [
      { password: P1, hash: 'pbkdf2_sha256$1000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=' },
      { password: P2, hash: 'pbkdf2_sha256$1000$NmKMnIXw5QAr$GIHinzG7/q65aD41aJ4uzwb4yu/Mg9GQl74K20mqIto=' },
      { password: P3, hash: 'pbkdf2_sha256$1000$9CEfVwe3qoMc$WpkvQDESsIImwcqH8YZWO2uBm9SYVfYXgy/UqOkoNLc=' },
      { password: P2, hash: 'pbkdf2_sha256$1500$aB3dEf9GhIjK$lRZ8xvV9sXh8fCAG2psnJZyOH7LGM0B475jqWQ1jhUQ=' },
    ],
    malformed: [
      'pbkdf2_sha256$1000$4oV99uq1UoAh',
      'pbkdf2_sha256$1000$$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=',
      'pbkdf2_sha256$1000$4oV9 9uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=',
      'pbkdf2_sha256$1000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY',
      'pbkdf2_sha256$1000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquva==',
      'pbkdf2_sha256$1000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=$x',
      'pbkdf2_sha256$0$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=',
      'pbkdf2_sha256$5000000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36louuXClSquvaY=',
    ],
  },
  'sha512-crypt': {
    vectors: [
      { password: P1, hash: '$6$EXl2ReMK5ozvu3/V$N1/axuljfY5cX/LowEKYkeqwheIDskPkn9Y2E5eylWuzB3AZYVom2B6UwZt8Umisu32NgE.zK9OJ0ZVHDnyr1.' },
      { password: P2, hash: '$6$WWNCrsJ.FMes3e4w$/XQ3YIZ/DPhRqoRkdKR4auiqd8PKceVxePUi2baK4GphZyQGOlhME1hvn4AW.nqdjYLh8hOi1uNrlwyPFBHyG/' },
      { password: P3, hash: '$6$0SKcWv5yNzwFqhH8$96PJqbOHKfC9enwKHx0WVC5J2cAbbGqSXSu1TNd/rKbwd7mNmkBGbxV2Jq10mqzeRhw8KlmjKWXVjBP2sQ7at.' },
      { password: P1, hash: '$6$rounds=12345$0123456789abcdef$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1' },
      { password: 'Hello world!', hash: '$6$rounds=10000$saltstring$buk9gc9MDdd3Z11.ZzxK8sKnFNbxNdTnCf.XHjjiTHcgFuFgkKvBQPLIaUn4Ixl3TLN8ZgCk52MPgbWjATwhH0' },
      { password: P2, hash: '$6$rounds=5000$pqrSTU$LVKGi1Ji/dfARq4NZk14mzfJLKnO57BAFaznsdDuEfXI3cfCJbfcicd0TJTvo2x3pWsVTbgEHQZyZKxHSWoml0' },
      { password: P2, hash: '$6$rounds=20000$tCMw/4wGpQCZW.7e$nx3x7K3wCo05/zzm/K.C6GMFqHnKGaN8BMzq5v.lckRPLqoHZBxKIIOsDIVsXk/vB2vqVuBVhEPfPN4356mcW.' },
    ],
    malformed: [
      '$6$EXl2ReMK5ozvu3/V',
      '$6$EXl2ReMK5ozvu3/V$N1/axuljfY5cX/LowEKYkeqwheIDskPkn9Y2E5eylWuzB3AZYVom2B6UwZt8Umisu32NgE.zK9OJ0ZVHDnyr1',
      '$6$EXl2ReMK5ozvu3/V$N1/axuljfY5cX/LowEKYkeqwheIDskPkn9Y2E5eylWuzB3AZYVom2B6UwZt8Umisu32NgE.zK9OJ0ZVHDnyr1_',
      '$6$EXl2ReMK5ozvu3/VX$N1/axuljfY5cX/LowEKYkeqwheIDskPkn9Y2E5eylWuzB3AZYVom2B6UwZt8Umisu32NgE.zK9OJ0ZVHDnyr1.',
      '$6$rounds=999$0123456789abcdef$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1',
      '$6$rounds=012345$0123456789abcdef$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1',
      '$6$rounds=$0123456789abcdef$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1',
      '$6$rounds=12345$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1',
      '$6$rounds=999999999$0123456789abcdef$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1',
      '$6$rounds=700001$0123456789abcdef$cW9uAwJhwHOT9Vhw85RLcpSf.2mF/gcV19xAxg0pXncV4glEpDdcth11lXAw/MpFs3m0r.ltXTwtDmJTPUE2O1',
    ],
  },
  'sha256-crypt': {
    vectors: [
      { password: P1, hash: '$5$h.SpAXXyJt9b7mXb$iFDewQYIgMlgUNalu2ziLu0r4PDSyU5sym3qrR71AE1' },
      { password: P2, hash: '$5$eeuLKfomP85NM/Sl$uNqB55yvUl7d.fTYc.C24ukP52t.2bU2yshWnFD3wuB' },
      { password: P3, hash: '$5$CQeeUQO6TFhxrDyM$hVdlxVAPzthLuv2bPIy6RwmiJl3gEqefAgYBR3sG/37' },
      { password: P1, hash: '$5$rounds=1000$abc$yFR9nt4PC2G7yOzdmFUWdWqOk3dmkntPyf5wXUdFa8.' },
      { password: 'Hello world!', hash: '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5' },
      { password: P1, hash: '$5$rounds=80000$wxyz$q/Z/r.NTt2xgIjantKbJIhs82OTEbVhb/TgRqAd4U1/' },
      { password: P3, hash: '$5$rounds=20000$tNtPSOUCXaPQ.WrQ$GPQAS8uCnmITlphxqFBnAx8X7chazmjpzZVc4.kW9zA' },
    ],
    malformed: [
      '$5$h.SpAXXyJt9b7mXb$iFDewQYIgMlgUNalu2ziLu0r4PDSyU5sym3qrR71AE',
      '$5$h.SpAXXyJt9b7mXb$iFDewQYIgMlgUNalu2ziLu0r4PDSyU5sym3qrR71AE1$',
      '$5$h.Sp*XXyJt9b7mXb$iFDewQYIgMlgUNalu2ziLu0r4PDSyU5sym3qrR71AE1',
      '$5$rounds=-1$abc$yFR9nt4PC2G7yOzdmFUWdWqOk3dmkntPyf5wXUdFa8.',
      '$5$rounds=1000$$abc$yFR9nt4PC2G7yOzdmFUWdWqOk3dmkntPyf5wXUdFa8.',
      '$5$rounds=5000000$abc$yFR9nt4PC2G7yOzdmFUWdWqOk3dmkntPyf5wXUdFa8.',
    ],
  },
  'md5-crypt': {
    vectors: [
      { password: P1, hash: '$1$UahFhh1H$YeeIDFGi1XTSkSDzBJ4Yh.' },
      { password: P2, hash: '$1$3PHe5Gn4$QvtQjHqjqEDU7en6p9g960' },
      { password: P3, hash: '$1$588s.rYH$q2FACRqyxfK1MtmKTkG4K0' },
      { password: P1, hash: '$1$x$UUMx6/QlTOp7GpANhxO2D1' },
      { password: P3, hash: '$1$Dcdq0SFV$S2cubQ7IIAmSn48SaqMD7.' },
    ],
    malformed: [
      '$1$UahFhh1H',
      '$1$UahFhh1H$YeeIDFGi1XTSkSDzBJ4Yh',
      '$1$UahFhh1H$YeeIDFGi1XTSkSDzBJ4Yh..',
      '$1$UahFhh1HX$YeeIDFGi1XTSkSDzBJ4Yh.',
      '$1$UahFhh1H$YeeIDFGi1XTSkSDzBJ4Yh.$',
      '$1$Uah=hh1H$YeeIDFGi1XTSkSDzBJ4Yh.',
    ],
  },
  'ldap-ssha': {
    vectors: [
      { password: P1, hash: '{SSHA}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI' },
      { password: P2, hash: '{SSHA}oTQGegcJGZJToDLNxEfZvUswYKgfI+Tc' },
      { password: P3, hash: '{SSHA}qi6mZJIwxxMHUjC30Cu2CMc/3QYza+fp' },
      // The scheme name is case-insensitive (RFC 2307).
      { password: P1, hash: '{ssha}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI' },
    ],
    malformed: [
      '{SSHA}',
      '{SSHA}apQ9/rEGUT/fKtaEJFxgoCHF',
      '{SSHA}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI=',
      '{SSHA}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGk',
      '{SSHA}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkN!',
      '{SSHA} apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI',
      // Digest with no salt (that is {SHA}, not {SSHA}); a salt longer than 64 bytes.
      `{SSHA}${Buffer.alloc(20, 7).toString('base64')}`,
      `{SSHA}${Buffer.alloc(20 + 65, 7).toString('base64')}`,
    ],
  },
  'ldap-ssha256': {
    vectors: [
      { password: P1, hash: '{SSHA256}Au++6B/EMDTZdqBPKYFm09cAVeiBydi465/675fFptARYowxZgzhfA==' },
      { password: P2, hash: '{SSHA256}SaamRH9GeXzOhHqFuHqQIIZ9j9UPlYZ0pLtW/HIU+eoqBeCcUwqh1A==' },
      { password: P3, hash: '{SSHA256}H1cqF4lIrbm/3q+C4y61DNiyQoda9iMX66/DgIhgJUozDJvBe6PzoA==' },
    ],
    malformed: [
      '{SSHA256}Au++6B/EMDTZdqBPKYFm09cAVeiBydi465/675fFptARYowxZgzhfA',
      '{SSHA256}Au++6B/EMDTZdqBPKYFm09cAVeiBydi465/675fFpt=',
      // An {SSHA} payload (24 bytes) is too short for SHA-256.
      '{SSHA256}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI',
    ],
  },
  'ldap-ssha512': {
    vectors: [
      { password: P1, hash: '{SSHA512}PloPvzF2qUqqB4cDVnq5elea7e6VSlZQD9I0CxTL1POoj0Hcs23NwarXk45ypnhIZkwzEEzycx3qv4YYv32JXG2t1TonRGht' },
      { password: P2, hash: '{SSHA512}Ukt5hryFaVFQGk8iCiyZXRKluxUxkbGCACB5/W7mV/8o+RlTa8TJqR15FllIcVNEVr2BpLMdJBtwvy42wbY+ykSoNUZIqdVa' },
      { password: P3, hash: '{SSHA512}dgbmONTbXTrAlhwOCf4lZaQKPbWc778dbNNySgx1fBJ7RQtqpTLN6dYRMhJWesNyf1jepSeGc3ir413BCugV+VTr4VAwGygaN4mwC+Ferhw=' },
    ],
    malformed: [
      '{SSHA512}PloPvzF2qUqqB4cDVnq5elea7e6VSlZQD9I0CxTL1POoj0Hcs23NwarXk45ypnhIZkwzEEzycx3qv4YYv32JXG2t1TonRGh',
      '{SSHA512}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI',
      '{SSHA512}Au++6B/EMDTZdqBPKYFm09cAVeiBydi465/675fFptARYowxZgzhfA==',
    ],
  },
};

/** Strings no format may take. */
const UNKNOWN = [
  '',
  'password',
  '$',
  '$$',
  '$argon2$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
  '$argon2d$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
  '$argon2idx$v=19$m=4096,t=1,p=1$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
  '$2x$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
  '$2$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
  '$7$CU..../....SfqCWl8BBM.l/Tmq3wZ5hS1$cbV1iKuWldl0B5DMgW4ZtWYbZAN7eTBf3Td9tOdmqn7',
  '$pbkdf2-sha384$1000$e./d29s755zTWuv9/7.X8g$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE',
  'pbkdf2_sha1$1000$4oV99uq1UoAh$BNMPFPW4K9BUAc5Oq8NIVL5Qnr1b36l=',
  'sha1$4oV99uq1UoAh$9f3a1b5d9e7f1c7f9d5e3a1b5d9e7f1c7f9d5e3a',
  '$apr1$UahFhh1H$YeeIDFGi1XTSkSDzBJ4Yh.',
  '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7',
  '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
  '{SMD5}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI',
  '{SSHA384}apQ9/rEGUT/fKtaEJFxgoCHFVQLVGkNI',
  '{CRYPT}$6$EXl2ReMK5ozvu3/V$N1/axuljfY5cX/LowEKYkeqwheIDskPkn9Y2E5eylWuzB3AZYVom2B6UwZt8Umisu32NgE.zK9OJ0ZVHDnyr1.',
  '5f4dcc3b5aa765d61d8327deb882cf99',
  ' $2b$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
  `$pbkdf2-sha256$1000$${'a'.repeat(MAX_HASH_LENGTH)}$3zYYA7ZIWCy4PKVGRD/qK2zdPFGJU1Cnl5Eqpfq1hOE`,
];

/**
 * Wrong passwords close to the right one. They differ at the start, since bcrypt reads
 * only the first 72 bytes (see 'reads only the first 72 bytes' below).
 */
const wrong = (password: string) => ['x' + password, password.slice(1), password.toUpperCase() === password ? password.toLowerCase() : password.toUpperCase(), ''];

describe('password formats', () => {
  it('has a table for every registered format, and a format for every table', () => {
    expect(passwordFormats.formats.map((format) => format.id).sort()).toEqual(Object.keys(TABLES).sort());
  });

  describe.each(Object.entries(TABLES) as Array<[PasswordFormatId, FormatTable]>)('%s', (id, table) => {
    it.each(table.vectors)('detects $hash as ' + id + ' and no other format', ({ hash }) => {
      expect(detectFormat(hash)?.id).toBe(id);
      expect(passwordFormats.formats.filter((format) => format.detects(hash)).map((format) => format.id)).toEqual([id]);
      expect(checkHash(hash)).toEqual({ supported: true, format: id });
    });

    it.each(table.vectors)('accepts the right password for $hash', async ({ password, hash }) => {
      await expect(verifyAny(password, hash)).resolves.toBe(true);
      await expect(detectFormat(hash)!.verify(password, hash)).resolves.toBe(true);
    });

    it.each(table.vectors)('refuses wrong passwords for $hash', async ({ password, hash }) => {
      for (const attempt of wrong(password)) await expect(verifyAny(attempt, hash)).resolves.toBe(false);
    });

    it.each(table.malformed)('refuses the malformed or too costly %s', async (hash) => {
      expect(detectFormat(hash)).toBeNull();
      expect(passwordFormats.formats.some((format) => format.detects(hash))).toBe(false);
      const check = checkHash(hash);
      expect(check).toMatchObject({ supported: false, code: 'invalid_hash', format: id });
      for (const { password } of table.vectors) await expect(verifyAny(password, hash)).resolves.toBe(false);
    });
  });

  describe('unknown formats', () => {
    const named = UNKNOWN.map((hash) => [hash.length > 100 ? `${hash.slice(0, 40)}… (${hash.length} characters)` : JSON.stringify(hash), hash]);
    it.each(named)('detects nothing in %s', async (_name, hash) => {
      expect(detectFormat(hash)).toBeNull();
      expect(checkHash(hash)).toMatchObject({ supported: false });
      await expect(verifyAny(P1, hash)).resolves.toBe(false);
    });

    it('calls a string of no family unknown, and one of a known family invalid', () => {
      expect(checkHash('$2x$04$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2')).toEqual({
        supported: false,
        code: 'unknown_format',
        message: 'unknown password hash format',
      });
      expect(checkHash('$2b$20$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2')).toEqual({
        supported: false,
        code: 'invalid_hash',
        format: 'bcrypt',
        message: 'bcrypt: bcrypt cost 20 is over the limit 14',
      });
    });

    it('never throws, whatever it is given', async () => {
      for (const junk of [undefined, null, 42, {}, ['$2b$'], Buffer.from('$2b$')] as unknown as string[]) {
        expect(detectFormat(junk)).toBeNull();
        await expect(verifyAny(P1, junk)).resolves.toBe(false);
        await expect(verifyAny(junk, TABLES.bcrypt.vectors[0].hash)).resolves.toBe(false);
      }
    });
  });

  describe('ambiguous prefixes', () => {
    const argon2id = TABLES.argon2id.vectors[0];
    const argon2i = TABLES.argon2i.vectors[0];
    const ssha = TABLES['ldap-ssha'].vectors[0];
    const ssha512 = TABLES['ldap-ssha512'].vectors[0];

    it('tells $argon2i$ from $argon2id$', async () => {
      const formats = new Map(passwordFormats.formats.map((format) => [format.id, format]));
      expect(formats.get('argon2i')!.detects(argon2id.hash)).toBe(false);
      expect(formats.get('argon2id')!.detects(argon2i.hash)).toBe(false);
      expect(formats.get('argon2i')!.inspect(argon2id.hash)).toBeNull();
      expect(formats.get('argon2id')!.inspect(argon2i.hash)).toBeNull();
      await expect(formats.get('argon2i')!.verify(argon2id.password, argon2id.hash)).resolves.toBe(false);
      // The same parameters, salt and hash under the other identifier do not verify.
      const relabelled = argon2id.hash.replace('$argon2id$', '$argon2i$');
      expect(detectFormat(relabelled)?.id).toBe('argon2i');
      await expect(verifyAny(argon2id.password, relabelled)).resolves.toBe(false);
    });

    it('tells {SSHA} from {SSHA512} and {SSHA256}', async () => {
      expect(detectFormat(ssha.hash)?.id).toBe('ldap-ssha');
      expect(detectFormat(ssha512.hash)?.id).toBe('ldap-ssha512');
      // An {SSHA512} payload under the {SSHA} label is a SHA-1 digest with a long salt: it
      // is read as such, and the SHA-512 password does not match it.
      const relabelled = ssha512.hash.replace('{SSHA512}', '{SSHA}');
      expect(detectFormat(relabelled)?.id).toBe('ldap-ssha');
      await expect(verifyAny(ssha512.password, relabelled)).resolves.toBe(false);
      expect(detectFormat(ssha.hash.replace('{SSHA}', '{SSHA512}'))).toBeNull();
      expect(detectFormat(ssha.hash.replace('{SSHA}', '{SSHA5}'))).toBeNull();
      expect(detectFormat(ssha.hash.replace('{SSHA}', '{SSHA'))).toBeNull();
    });

    it('tells passlib $pbkdf2$ (SHA-1) from $pbkdf2-sha256$, and passlib from Django', async () => {
      const sha1 = TABLES['pbkdf2-sha1'].vectors[0];
      const sha256 = TABLES['pbkdf2-sha256'].vectors[0];
      const django = TABLES['django-pbkdf2-sha256'].vectors[0];
      expect(detectFormat(sha1.hash)?.id).toBe('pbkdf2-sha1');
      expect(detectFormat(sha256.hash)?.id).toBe('pbkdf2-sha256');
      expect(detectFormat(django.hash)?.id).toBe('django-pbkdf2-sha256');
      expect(detectFormat('$' + django.hash)).toBeNull();
      expect(detectFormat(sha256.hash.slice(1).replace('pbkdf2-sha256', 'pbkdf2_sha256'))).toBeNull();
      // `$pbkdf2-sha1$` is the same format as passlib's `$pbkdf2$`.
      await expect(verifyAny(sha1.password, sha1.hash.replace('$pbkdf2$', '$pbkdf2-sha1$'))).resolves.toBe(true);
    });

    it('reads the bcrypt minor versions alike', async () => {
      const { password, hash } = TABLES.bcrypt.vectors[0];
      for (const minor of ['a', 'b', 'y']) await expect(verifyAny(password, hash.replace(/^\$2b\$/, `$2${minor}$`))).resolves.toBe(true);
    });

    it('reads only the first 72 bytes of a password in bcrypt, as every bcrypt does', async () => {
      const { password, hash } = TABLES.bcrypt.vectors[1];
      expect(Buffer.byteLength(password)).toBeGreaterThan(72);
      await expect(verifyAny(password.slice(0, 72) + 'anything', hash)).resolves.toBe(true);
      await expect(verifyAny(password.slice(0, 71), hash)).resolves.toBe(false);
    });
  });

  describe('encodings', () => {
    it('decodes passlib ab64 (`.` for `+`) in PBKDF2 salts and checksums', async () => {
      // This vector's salt and checksum both hold `.`, which must read as `+`.
      const { password, hash } = TABLES['pbkdf2-sha256'].vectors[1];
      expect(hash).toContain('.');
      await expect(verifyAny(password, hash)).resolves.toBe(true);
    });

    it('decodes passlib scrypt salts as standard base64 (`+`), which passlib writes there', async () => {
      const { password, hash } = TABLES.scrypt.vectors[0];
      expect(hash.split('$')[3]).toContain('+');
      await expect(verifyAny(password, hash)).resolves.toBe(true);
    });

    it('takes the bytes after the SSHA digest as the salt, whatever their length', async () => {
      const salt = Buffer.from('a salt of 33 bytes, longer than 32');
      const digest = createHash('sha256').update(P1).update(salt).digest();
      await expect(verifyAny(P1, `{SSHA256}${Buffer.concat([digest, salt]).toString('base64')}`)).resolves.toBe(true);
    });
  });

  describe('limits', () => {
    it('documents defaults that accept the costs real systems use', () => {
      const registry = new PasswordFormatRegistry();
      const dummy = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64').replace(/=+$/, '');
      const passlibDefaults = [
        `$argon2id$v=19$m=65536,t=3,p=4$${dummy(16)}$${dummy(32)}`, // node-argon2's and RFC 9106's second choice
        `$argon2id$v=19$m=262144,t=4,p=1$${dummy(16)}$${dummy(32)}`, // 256 MiB × 4
        '$2b$14$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
        `$scrypt$ln=16,r=8,p=1$${dummy(16)}$${dummy(32)}`, // passlib's default
        `$scrypt$ln=14,r=8,p=5$${dummy(16)}$${dummy(32)}`, // Django's default
        `$scrypt$ln=17,r=8,p=2$${dummy(16)}$${dummy(32)}`, // 128 MiB
        `pbkdf2_sha256$1200000$abc$${Buffer.alloc(32).toString('base64')}`, // Django 6.0
        `$pbkdf2$2000000$${dummy(16).replace(/\+/g, '.')}$${dummy(20).replace(/\+/g, '.')}`,
        `$6$rounds=656000$abc$${'a'.repeat(86)}`, // passlib's sha512_crypt default
        `$5$rounds=700000$abc$${'a'.repeat(43)}`,
      ];
      for (const hash of passlibDefaults) expect([hash, registry.checkHash(hash).supported]).toEqual([hash, true]);
      expect(DEFAULT_LIMITS).toMatchObject({ bcryptCost: 14, pbkdf2Iterations: 2_000_000, shaCryptRounds: 700_000 });
    });

    it('follows the limits it is given', async () => {
      const strict = new PasswordFormatRegistry({ ...DEFAULT_LIMITS, bcryptCost: 4, pbkdf2Iterations: 999, scryptWork: 2 ** 10 });
      const [cost4, cost5] = TABLES.bcrypt.vectors;
      expect(strict.detectFormat(cost4.hash)?.id).toBe('bcrypt');
      expect(strict.detectFormat(cost5.hash)).toBeNull();
      await expect(strict.verifyAny(cost5.password, cost5.hash)).resolves.toBe(false);
      expect(strict.checkHash(TABLES['pbkdf2-sha256'].vectors[0].hash)).toMatchObject({ supported: false, code: 'invalid_hash' });
      expect(strict.checkHash(TABLES.scrypt.vectors[0].hash)).toMatchObject({ supported: false, code: 'invalid_hash' });
      expect(strict.checkHash(TABLES.scrypt.vectors[2].hash)).toEqual({ supported: true, format: 'scrypt' });
    });

    it('bounds SHA-crypt by rounds × password length', async () => {
      const { password, hash } = TABLES['sha256-crypt'].vectors[5]; // 80,000 rounds
      const tight = new PasswordFormatRegistry({ ...DEFAULT_LIMITS, shaCryptWork: 80_000 * (Buffer.byteLength(password) + 64) });
      await expect(tight.verifyAny(password, hash)).resolves.toBe(true);
      const tighter = new PasswordFormatRegistry({ ...DEFAULT_LIMITS, shaCryptWork: 80_000 * (Buffer.byteLength(password) + 64) - 1 });
      await expect(tighter.verifyAny(password, hash)).resolves.toBe(false);
    });

    it('yields to the event loop while it computes SHA-crypt rounds', async () => {
      const { password, hash } = TABLES['sha256-crypt'].vectors[5]; // 80,000 rounds: well over one slice
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      try {
        await expect(verifyAny(password, hash)).resolves.toBe(true);
      } finally {
        clearInterval(timer);
      }
      expect(ticks).toBeGreaterThan(0);
    });

    it('never checks passwords longer than the limit against legacy formats', async () => {
      const long = 'x'.repeat(DEFAULT_LIMITS.maxPasswordBytes + 1);
      const digest = createHash('sha1').update(long).update('salt').digest();
      const hash = `{SSHA}${Buffer.concat([digest, Buffer.from('salt')]).toString('base64')}`;
      expect(detectFormat(hash)?.id).toBe('ldap-ssha');
      await expect(verifyAny(long, hash)).resolves.toBe(false);
    });

    it('refuses absurd costs at once instead of computing them', async () => {
      const started = Date.now();
      const hostile = [
        '$pbkdf2-sha512$4294967295$uhcCoNT6v9d6b.19r9W6Nw$nIOPzubvKFrz3VjPuJoTZ.7LshICGAfK9FJhnTSlhpeRgkZlCMpc2Vn1KpMUCMhaaJPgs78A0z3e4rIMaDzPIA',
        '$scrypt$ln=30,r=1024,p=1024$+n/vnbOWcs65t/b+3xvDeA$HSJhxOwejq7xovK53FSK+mV9M6kTm0DIfRdjFHOkNAI',
        '$2b$31$BwdyT0LSA9tSieVXqIDt3uUOgi9/MorqH1fokQLnKpQlpHZai51n2',
        '$6$rounds=999999999$abc$' + 'a'.repeat(86),
        '$argon2id$v=19$m=4294967295,t=4294967295,p=255$li6ApX6+bWfAXGXsjccHBQ$TCUDnlzUL+/JkvmbnsgjegNpuKpIBgZ998f3o2ncrm8',
      ];
      for (const hash of hostile) await expect(verifyAny(P1, hash)).resolves.toBe(false);
      expect(Date.now() - started).toBeLessThan(500);
    });
  });
});
