import { Foundation1764230400000 } from './1764230400000-foundation';

/** Every migration, in order. New ones are appended here so the app and the CLI agree. */
export const migrations = [Foundation1764230400000];
