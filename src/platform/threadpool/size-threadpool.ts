// Imported first by main.ts, for its side effect: libuv sizes its thread pool once, at the first job.
import { sizeThreadpool } from './threadpool';

sizeThreadpool();
