import { prefixRange } from './prefix-range';

/** text_pattern_ops compares the UTF-8 bytes. */
const below = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
const inRange = (value: string, { from, to }: { from: string; to: string | null }) => !below(value, from) && (to === null || below(value, to));

describe('prefixRange', () => {
  it('raises the last character by one code point', () => {
    expect(prefixRange('user77')).toEqual({ from: 'user77', to: 'user78' });
    expect(prefixRange('+44')).toEqual({ from: '+44', to: '+45' });
    expect(prefixRange('zoë')).toEqual({ from: 'zoë', to: 'zoì' });
    expect(prefixRange('a🔑')).toEqual({ from: 'a🔑', to: 'a🔒' });
  });

  it('steps over the surrogate block and past the last code point', () => {
    expect(prefixRange('a\u{d7ff}')).toEqual({ from: 'a\u{d7ff}', to: 'a\u{e000}' });
    expect(prefixRange('ab\u{10ffff}')).toEqual({ from: 'ab\u{10ffff}', to: 'ac' });
    expect(prefixRange('\u{10ffff}\u{10ffff}')).toEqual({ from: '\u{10ffff}\u{10ffff}', to: null });
  });

  it('holds exactly the strings that start with the prefix', () => {
    const samples = ['', 'a', 'ab', 'ab\u{0}', 'abc', 'abd', 'ab\u{7f}', 'ab\u{80}', 'abé', 'ab🔑', 'ab\u{10ffff}x', 'ac', 'aa\u{10ffff}', 'b', 'é', '\u{e000}', '\u{10ffff}', '\u{10ffff}\u{10ffff}z'];
    for (const prefix of ['ab', 'a', 'é', 'ab\u{10ffff}', '\u{d7ff}', '\u{10ffff}']) {
      const range = prefixRange(prefix);
      for (const value of [...samples, `${prefix}`, `${prefix}\u{10ffff}`, `${prefix}zz`]) {
        expect([prefix, value, inRange(value, range)]).toEqual([prefix, value, value.startsWith(prefix)]);
      }
    }
  });
});
