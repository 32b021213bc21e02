import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { workersOf } from './queue-instances';

/**
 * Closes every BullMQ worker of the process (it takes no new job and waits for the
 * ones it runs) before any connection closes. @nestjs/bullmq closes workers in
 * onApplicationShutdown, beside TypeORM closing its pool: jobs in flight then lost
 * PostgreSQL under them, an email the SMTP server had accepted stayed unrecorded (and
 * was sent again after the restart) and an import chunk failed. beforeApplicationShutdown
 * runs before every onApplicationShutdown, so jobs finish on a working database.
 */
@Injectable()
export class WorkersShutdown implements BeforeApplicationShutdown {
  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(workersOf(this.discovery).map((worker) => worker.close()));
  }
}
