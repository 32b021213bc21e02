import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

const afterCommitHooks = new WeakMap<EntityManager, (() => void)[]>();

/**
 * Runs `hook` once the transaction `tx` has committed, never if it rolls back: the way
 * to hand work to a queue only for rows that really exist (the outbox pattern).
 */
export function afterCommit(tx: EntityManager, hook: () => void): void {
  const hooks = afterCommitHooks.get(tx);
  if (!hooks) throw new Error('afterCommit needs a transaction opened by Transactions.run');
  hooks.push(hook);
}

/**
 * The one way to run several writes atomically. Repositories take the `EntityManager`
 * it hands out, so a service composes them without touching TypeORM itself.
 */
@Injectable()
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const hooks: (() => void)[] = [];
    const result = await this.dataSource.transaction((tx) => {
      afterCommitHooks.set(tx, hooks);
      return work(tx);
    });
    for (const hook of hooks) hook();
    return result;
  }
}
