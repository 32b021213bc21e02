import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { isNotConnectionError, QueueBase } from 'bullmq';
import { connectionErrorReason, OutageLatch } from '../redis/outage-latch';
import { bullmqClientsOf } from './queue-instances';

/**
 * BullMQ prints an 'error' that nobody listens to with console.error, stack and all,
 * outside the JSON log: after a Redis restart, "Missing key for job …" for every job
 * that was in flight. And a listener hears every failed reconnect of each of its
 * connections, one a second. So every queue, worker and queue-events listener of the
 * process gets one here, after @nestjs/bullmq started them (in onModuleInit): a lost
 * connection is one warning per queue and outage and one line when it is back; any
 * other error is a warning naming its queue.
 */
@Injectable()
export class QueueErrorLog implements OnApplicationBootstrap {
  private readonly logger = new Logger('Queues');

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    // A process's queue and worker of one name share a latch: their outage is one.
    const outages = new Map<string, OutageLatch>();
    for (const client of bullmqClientsOf(this.discovery)) {
      const outage = outages.get(client.name) ?? this.outageOf(client.name);
      outages.set(client.name, outage);
      this.watch(client, outage);
    }
  }

  private watch(client: QueueBase, outage: OutageLatch): void {
    client.on('error', (error: Error) => {
      if (isConnectionError(error)) outage.lost(error);
      // Redis lost or refused a job's state (a restart or flush under a worker): PostgreSQL holds the truth.
      else this.logger.warn({ queue: client.name, err: error.message }, `Queue ${client.name}: ${error.message}; the sweepers re-queue any job it affected`);
    });
    // BullMQ's queue has no 'ready' event of its own; its connection has.
    void client.client.then(
      (redis) => redis.on('ready', () => outage.back()),
      // Its first connection failed: already reported through 'error'.
      () => undefined,
    );
  }

  private outageOf(queue: string): OutageLatch {
    return new OutageLatch({
      lost: (error) => this.logger.warn({ queue, err: error.message }, `Queue ${queue} lost its Redis connection (${connectionErrorReason(error)}); reconnecting`),
      back: () => this.logger.log({ queue }, `Queue ${queue} reconnected to Redis`),
    });
  }
}

/** Redis refused or dropped the connection, or did not answer (ECONNREFUSED, ECONNRESET, ETIMEDOUT…), as opposed to a command's own error. */
function isConnectionError(error: NodeJS.ErrnoException): boolean {
  return typeof error.syscall === 'string' || !isNotConnectionError(error);
}
