import { QueueEventsHost, WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService } from '@nestjs/core';
import { QueueBase, Worker } from 'bullmq';

/** The started BullMQ workers of the process: one per @Processor of its role. */
export function workersOf(discovery: DiscoveryService): Worker[] {
  return bullmqClientsOf(discovery).filter((client): client is Worker => client instanceof Worker);
}

/** Every BullMQ object of the process that talks to Redis: queues (producers), workers and queue-events listeners. */
export function bullmqClientsOf(discovery: DiscoveryService): QueueBase[] {
  const instances = discovery.getProviders().map((wrapper) => wrapper.instance as unknown);
  return instances.flatMap((instance) => {
    if (instance instanceof QueueBase) return [instance];
    if (instance instanceof WorkerHost) return started(() => instance.worker);
    if (instance instanceof QueueEventsHost) return started(() => instance.queueEvents);
    return [];
  });
}

/** The host's worker or listener, or none when it never started (the getter throws then). */
function started<T>(get: () => T): T[] {
  try {
    return [get()];
  } catch {
    return [];
  }
}
