import { equalFolded, pgLower } from './pg-lower';

describe('pgLower', () => {
  // Expected values are what lower() returns on PostgreSQL 15 with a C.UTF-8 database.
  it.each([
    ['', ''],
    ['Ada.Lovelace@Example.COM', 'ada.lovelace@example.com'],
    ['İpek', 'ipek'],
    ['İZMİR', 'izmir'],
    ['ΠΑΠΑΔΟΠΟΥΛΟΣ', 'παπαδοπουλοσ'],
    ['ΟΜΑΔΑ ΠΩΛΗΣΕΩΝ', 'ομαδα πωλησεων'],
    ['Σ', 'σ'],
    ['Yılmaz', 'yılmaz'],
    ['STRAẞE', 'straße'],
    ['Ǆ ǅ ǆ', 'ǆ ǆ ǆ'],
    ['\u212a\u2126\u212b', 'kωå'],
    ['𐐀𐐁 astral', '𐐨𐐩 astral'],
    ['lone \ud800 half', 'lone \ud800 half'],
  ])('%j → %j', (value, expected) => {
    expect(pgLower(value)).toBe(expected);
  });

  it('maps every code point to exactly one code point, as lower() does', () => {
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const folded = pgLower(String.fromCodePoint(cp));
      if (Array.from(folded).length !== 1) throw new Error(`U+${cp.toString(16)} folds to ${JSON.stringify(folded)}`);
    }
  });

  it('does not depend on the neighbouring characters', () => {
    const word = 'ΟΔΟΣ İSTANBUL';
    expect(pgLower(word)).toBe(Array.from(word, pgLower).join(''));
  });
});

describe('equalFolded', () => {
  it.each([
    ['İpek@Example.com', 'ipek@example.com', true],
    ['ΟΔΟΣ', 'οδοσ', true],
    ['ada@example.com', 'ada@example.org', false],
    [null, null, true],
    [null, 'ada@example.com', false],
    ['ada@example.com', null, false],
  ])('%j = %j: %j', (a, b, equal) => {
    expect(equalFolded(a, b)).toBe(equal);
  });
});
