import { Batcher } from './batcher';

describe('Batcher', () => {
  it('runs a lone call at once and groups the calls made while a batch runs', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher<string, string>(async (keys) => {
      batches.push(keys);
      if (batches.length === 1) await gate;
      return new Map(keys.map((key) => [key, key.toUpperCase()]));
    }, (key) => key);

    const first = batcher.load('a');
    await Promise.resolve();
    expect(batches).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((key) => batcher.load(key));
    release();
    expect(await Promise.all([first, ...rest])).toEqual(['A', 'B', 'C', 'D']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('answers null for a key the batch leaves out, and gives a repeated key a batch of its own', async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string, number>(async (keys) => {
      batches.push(keys);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Only the first time a row is asked for does it answer (like a claim).
      return new Map(keys.filter((key) => batches.flat().indexOf(key) === batches.flat().lastIndexOf(key)).filter((key) => key !== 'gone').map((key) => [key, 1]));
    }, (key) => key);

    const busy = batcher.load('x');
    const results = await Promise.all([busy, batcher.load('y'), batcher.load('y'), batcher.load('gone')]);
    expect(batches).toEqual([['x'], ['y', 'gone'], ['y']]);
    expect(results).toEqual([1, 1, null, null]);
  });

  it('fails every call of a failed batch and keeps going with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<string, string>(async (keys) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (calls === 2) throw new Error('connection lost');
      return new Map(keys.map((key) => [key, key]));
    }, (key) => key);

    const first = batcher.load('a');
    const failing = [batcher.load('b'), batcher.load('c')].map((p) => p.catch((error: Error) => error.message));
    expect(await first).toBe('a');
    expect(await Promise.all(failing)).toEqual(['connection lost', 'connection lost']);
    expect(await batcher.load('d')).toBe('d');
  });

  it('caps a batch at maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(async (keys) => {
      sizes.push(keys.length);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Map(keys.map((key) => [String(key), key]));
    }, String, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => batcher.load(i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
