/**
 * A wait as a person reads it: "42 seconds", "1 minute", "15 minutes", "2 hours". Rounded
 * up, so the user never retries too early; machines read the exact seconds in Retry-After.
 */
export function waitInWords(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return plural(Math.ceil(seconds / 60), 'minute');
  return plural(Math.ceil(seconds / 3600), 'hour');
}
