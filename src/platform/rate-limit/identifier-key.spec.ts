import { identifierKey } from './rate-limiter';

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
