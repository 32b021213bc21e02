import { addressKey, identifierKey } from './rate-limiter';

describe('identifierKey', () => {
  it('gives every spelling of one account the same key, as the database matches them', () => {
    expect(identifierKey(' İpek@Example.com ')).toBe(identifierKey('ipek@example.com'));
    expect(identifierKey('ada@example.com')).not.toBe(identifierKey('ada@example.org'));
  });

  it('never holds the identifier itself', () => {
    expect(identifierKey('ada@example.com')).not.toContain('ada');
    expect(identifierKey('ada@example.com')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('addressKey', () => {
  it('gives every address of one IPv6 /64 the same key, however it is written', () => {
    const key = addressKey('2001:db8:1:2::a');
    expect(['2001:DB8:1:2:0:0:0:1', '2001:db8:1:2:ffff::', '2001:db8:1:2::1%eth0'].map(addressKey)).toEqual([key, key, key]);
    expect(addressKey('2001:db8:1:3::a')).not.toBe(key);
    expect(addressKey('2001:db8::1')).toBe(addressKey('2001:db8:0:0:1::'));
  });

  it('keeps IPv4 addresses apart, also as a dual-stack socket shows them', () => {
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('198.51.100.7')).not.toBe(addressKey('198.51.100.8'));
  });
});
