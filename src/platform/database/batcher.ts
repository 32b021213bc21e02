/**
 * Turns many concurrent one-row statements into one statement over many rows.
 *
 * At most one batch runs at a time. A call made while none runs starts one at once, so
 * an idle service adds no latency; calls made while one runs wait and go together in the
 * next (up to `maxBatch`). Under load a worker's fifty jobs then cost a few round trips
 * instead of fifty. A key appears once per batch: a repeated key waits for the next
 * batch, so every caller gets an answer of its own (a claimed row goes to one caller).
 *
 * `run` answers with a map from key to result; a key it leaves out resolves to null. When
 * `run` throws, every caller of that batch gets the error, as if its own statement failed.
 */
export class Batcher<T, R> {
  private queue: { item: T; key: string; resolve: (result: R | null) => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: T[]) => Promise<Map<string, R>>,
    private readonly keyOf: (item: T) => string,
    private readonly maxBatch = 100,
  ) {}

  load(item: T): Promise<R | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, key: this.keyOf(item), resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch: typeof this.queue = [];
        const keys = new Set<string>();
        const later: typeof this.queue = [];
        for (const entry of this.queue) {
          if (batch.length < this.maxBatch && !keys.has(entry.key)) {
            keys.add(entry.key);
            batch.push(entry);
          } else {
            later.push(entry);
          }
        }
        this.queue = later;
        try {
          const results = await this.run(batch.map((entry) => entry.item));
          for (const entry of batch) entry.resolve(results.get(entry.key) ?? null);
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
