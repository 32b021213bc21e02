const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID, in either case: PostgreSQL would refuse anything else in a uuid column (a 500, not a 404). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
