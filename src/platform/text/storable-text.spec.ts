import { findUnstorable, unstorableText } from './storable-text';

describe('unstorableText', () => {
  it.each([
    ['', false],
    ['plain ascii', false],
    ['café ñ 日本', false],
    ['emoji 😀 paired surrogates', false],
    ['\ud83d\ude00', false],
    ['nul \u0000 inside', true],
    ['\u0000', true],
    ['lone high \ud800', true],
    ['lone high \ud83d then text', true],
    ['lone low \udc00', true],
    ['\udc00\ud800', true],
    ['\ud83d\ude00\ude00', true],
  ])('%j → %s', (value, expected) => {
    expect(unstorableText(value)).toBe(expected);
  });
});

describe('findUnstorable', () => {
  it('names the first string or key PostgreSQL could not store, by path', () => {
    expect(findUnstorable({ a: 'ok', b: [1, { c: 'ok' }] }, 'attributes')).toBeNull();
    expect(findUnstorable({ a: 'ok', b: [1, { c: 'x\u0000' }] }, 'attributes')).toBe('attributes.b.1.c');
    expect(findUnstorable({ nested: { ['k\ud800']: 1 } }, 'attributes')).toBe('attributes.nested');
    expect(findUnstorable('\udfff', 'name')).toBe('name');
    expect(findUnstorable(42)).toBeNull();
  });

  it('walks values nested deeper than the call stack allows', () => {
    const deep = JSON.parse('['.repeat(100_000) + '"\\u0000"' + ']'.repeat(100_000));
    expect(findUnstorable(deep)).toMatch(/^0(\.0)+$/);
  });
});
