/**
 * RFC 7396 JSON Merge Patch: `patch`'s members replace `target`'s, objects merge member by
 * member, and a member set to null is removed. What a PATCH of a free-form object means to
 * a client that sends only what changes (as Auth0's metadata and Cognito's attributes do).
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  // A Map, then fromEntries: a "__proto__" member stays a member, never the result's prototype.
  const merged = new Map(Object.entries(isPlainObject(target) ? target : {}));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, mergePatch(merged.get(key), value));
  }
  return Object.fromEntries(merged);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
