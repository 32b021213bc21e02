/**
 * The strings that start with `prefix` are those in [from, to) in the byte order of
 * text_pattern_ops (UTF-8 sorts as code points do): `to` is the prefix with its last
 * character's code point raised by one. A range, unlike LIKE with a parameter, is what a
 * prepared plan can look up in the index. `to` is null only for a prefix made of U+10FFFF
 * alone, which nothing sorts above.
 */
export function prefixRange(prefix: string): { from: string; to: string | null } {
  const chars = Array.from(prefix);
  while (chars.length) {
    const next = chars.pop()!.codePointAt(0)! + 1;
    if (next <= 0x10ffff) return { from: prefix, to: chars.join('') + String.fromCodePoint(next >= 0xd800 && next <= 0xdfff ? 0xe000 : next) };
  }
  return { from: prefix, to: null };
}
