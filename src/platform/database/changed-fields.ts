import { isDeepStrictEqual } from 'node:util';

/**
 * The requested changes that differ from what is stored. Writing only these keeps
 * `updatedAt` where it was when a request re-applies the current state, as provisioning
 * scripts do on every run. (Shared by every module whose PATCH moves `updatedAt`.)
 */
export function changedFields<T extends object>(current: T, changes: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([key, value]) => !isDeepStrictEqual(value, current[key as keyof T]))) as Partial<T>;
}
