import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ConcurrencyGate } from './concurrency-gate';
import { argon2Concurrency, sizeThreadpool } from './threadpool';

describe('ConcurrencyGate', () => {
  it('runs at most `limit` tasks at once and starts the waiting ones in arrival order', async () => {
    const gate = new ConcurrencyGate(2);
    const started: number[] = [];
    const release: Array<() => void> = [];
    let running = 0;
    let most = 0;
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      gate.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(3);
    // Finish them out of order: the next in line starts each time, whichever finished.
    for (const which of [1, 0, 2, 3, 4]) {
      release[which]();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(gate.queued).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const gate = new ConcurrencyGate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});

describe('thread pool sizing', () => {
  const cores = availableParallelism();

  it('sizes the pool to the cores plus three (at least libuv’s 4) unless the operator chose', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(sizeThreadpool(env)).toBe(Math.max(4, cores + 3));
    expect(env.UV_THREADPOOL_SIZE).toBe(String(Math.max(4, cores + 3)));
    const chosen: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '3' };
    expect(sizeThreadpool(chosen)).toBe(3);
    expect(chosen.UV_THREADPOOL_SIZE).toBe('3');
    // Left as set, for the configuration check to refuse with its name.
    const unusable: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: 'many' };
    sizeThreadpool(unusable);
    expect(unusable.UV_THREADPOOL_SIZE).toBe('many');
  });

  it('lets argon2 run one job per core plus one, always leaving two threads of the pool to the rest', () => {
    expect(argon2Concurrency({ UV_THREADPOOL_SIZE: String(cores + 3) })).toBe(cores + 1);
    expect(argon2Concurrency({ UV_THREADPOOL_SIZE: '64' })).toBe(cores + 1);
    expect(argon2Concurrency({ UV_THREADPOOL_SIZE: '3' })).toBe(1);
    expect(argon2Concurrency({ UV_THREADPOOL_SIZE: '1' })).toBe(1);
    expect(argon2Concurrency({})).toBe(Math.min(cores + 1, 2));
  });

  (process.platform === 'linux' ? it : it.skip)('starts the pool at nice 10 and leaves the other threads alone (Linux)', () => {
    // A fresh process: this one's pool is running already.
    const script = `
      require('./src/platform/threadpool/size-threadpool');
      const fs = require('node:fs');
      const nice = (tid) => Number(fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
      const tids = fs.readdirSync('/proc/self/task');
      process.stdout.write(JSON.stringify({ main: nice(process.pid), niced: tids.filter((tid) => nice(tid) === 10).length, size: Number(process.env.UV_THREADPOOL_SIZE) }));`;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: join(__dirname, '..', '..', '..'), env: { ...process.env, UV_THREADPOOL_SIZE: '' } });
    const { main, niced, size } = JSON.parse(out.toString()) as { main: number; niced: number; size: number };
    expect(main).toBe(0);
    expect(size).toBe(Math.max(4, cores + 3));
    expect(niced).toBe(size);
  });
});
