// U+0000, or a surrogate half without its partner (a high one not followed by a
// low one, a low one not preceded by a high one).
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * True when PostgreSQL cannot store the string: `text` refuses NUL, and `jsonb`
 * refuses NUL and unpaired surrogates (they have no UTF-8 encoding). Checking first
 * lets callers report a field problem instead of failing the whole statement.
 */
export function unstorableText(value: string): boolean {
  return UNSTORABLE.test(value);
}

/**
 * The path (`field.key.0`) of the first string in a parsed JSON value that PostgreSQL
 * could not store, or of the object holding such a key; null when all of it can be.
 * Walks with its own stack: parsed JSON can nest deeper than the call stack.
 */
export function findUnstorable(value: unknown, path = ''): string | null {
  const pending: { value: unknown; path: string }[] = [{ value, path }];
  while (pending.length) {
    const next = pending.pop()!;
    if (typeof next.value === 'string' && unstorableText(next.value)) return next.path;
    if (typeof next.value !== 'object' || next.value === null) continue;
    for (const [key, item] of Object.entries(next.value)) {
      if (unstorableText(key)) return next.path;
      pending.push({ value: item, path: next.path ? `${next.path}.${key}` : key });
    }
  }
  return null;
}
