// Imported first by main.ts, for its side effect: libuv sizes its thread pool once, at the
// first job, so this sizes it and then starts it (see threadpool.ts).
import { lowerThreadpoolPriority, sizeThreadpool } from './threadpool';

sizeThreadpool();
lowerThreadpoolPriority();
