const ASCII = /^[\x00-\x7f]*$/;

/**
 * Lower-cases a string as PostgreSQL's lower() does, so a key folded here is the one a
 * `lower(column)` index holds and a comparison made here agrees with the database's.
 * lower() (libc provider, the databases' UTF-8 locale) maps one code point at a time with
 * Unicode's simple case mapping. String.prototype.toLowerCase applies the full, contextual
 * mapping instead, which differs twice: U+0130 (İ) becomes two code points (i + U+0307)
 * where lower() gives "i", and a word-final Σ becomes ς where lower() gives σ. Mapping each
 * code point on its own settles the second (Final_Sigma needs a preceding letter); U+0130 is
 * the only code point whose full lower-case mapping is longer than one. Letters newer than
 * the server's libc case tables (Unicode 16's, with glibc 2.36) are left as they are by
 * lower() but not here; no name or address in use is expected to hold them yet.
 */
export function pgLower(value: string): string {
  // Most emails and many names: the two mappings agree on ASCII, so skip the walk.
  if (ASCII.test(value)) return value.toLowerCase();
  let folded = '';
  for (const char of value) folded += char === '\u0130' ? 'i' : char.toLowerCase();
  return folded;
}

/** Whether two values are equal as lower() compares them (two nulls are; a null and a value are not). */
export function equalFolded(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : pgLower(a) === pgLower(b);
}
