/**
 * Whether a parsed JSON value nests deeper than `limit` arrays and objects. JSON.parse
 * takes any depth, but JSON.stringify and every recursive walk (class-transformer, the
 * validators) overflow the stack on a few thousand levels, which would be a 500; this
 * walk keeps its own stack.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length) {
    const { value: next, depth } = pending.pop()!;
    if (typeof next !== 'object' || next === null) continue;
    if (depth >= limit) return true;
    for (const item of Object.values(next)) pending.push({ value: item, depth: depth + 1 });
  }
  return false;
}

/** How deep free-form JSON (a user's attributes) may nest. */
export const ATTRIBUTES_DEPTH_LIMIT = 32;
