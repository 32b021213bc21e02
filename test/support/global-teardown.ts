import { dropDatabases, runPrefix } from './databases';

export default async function globalTeardown(): Promise<void> {
  await dropDatabases(runPrefix());
}
