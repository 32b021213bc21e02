import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../platform/pagination/page';
import { ImportJob, ImportOptions, ImportStatus } from './import-job.entity';

export interface StagedLine {
  line: number;
  data: string | null;
}

export interface RecordError {
  line: number;
  identifier: string | null;
  code: string;
  message: string;
}

export interface ChunkCounts {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

type Scope = { workspaceId: string; poolId: string };

export interface ResumableImport {
  id: string;
  /** For a running job whose owner stopped renewing: when its lease ran out. */
  expiredLease: Date | null;
}

/** The running-job owner no longer holds the lease (another worker took the job over). */
export class LeaseLostError extends Error {}

/** A chunk reached its commit before the chunk ahead of it had committed (or after that one failed). */
export class ChunkOrderError extends Error {}

@Injectable()
export class ImportJobsRepository {
  constructor(
    @InjectRepository(ImportJob) private readonly jobs: Repository<ImportJob>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Creates a job and stages its lines in one transaction: `write` streams rows into
   * `COPY import_lines FROM STDIN` and returns how many records it wrote. If anything
   * fails (bad upload, client gone, size limit) nothing of the job remains.
   */
  async createStaged(scope: Scope, options: ImportOptions, write: (copy: Writable, jobId: string) => Promise<number>): Promise<string> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    try {
      const [{ id }] = await runner.query(
        `INSERT INTO import_jobs (workspace_id, pool_id, status, options) VALUES ($1, $2, 'queued', $3) RETURNING id`,
        [scope.workspaceId, scope.poolId, options],
      );
      const total = await write(client.query(copyFrom('COPY import_lines (job_id, line, data) FROM STDIN')), id);
      await runner.query(`UPDATE import_jobs SET total = $2 WHERE id = $1`, [id, total]);
      await runner.commitTransaction();
      return id;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  find(scope: Scope, id: string): Promise<ImportJob | null> {
    return this.jobs.findOneBy({ ...scope, id });
  }

  findById(id: string): Promise<ImportJob | null> {
    return this.jobs.findOneBy({ id });
  }

  list(scope: Scope, query: PageQuery): Promise<Page<ImportJob>> {
    return paginate(this.jobs.createQueryBuilder('j').where('j.pool_id = :poolId AND j.workspace_id = :workspaceId', scope), query);
  }

  async errors(jobId: string, afterLine: number, limit: number): Promise<RecordError[]> {
    return this.dataSource.query(
      `SELECT line, identifier, code, message FROM import_errors WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [jobId, afterLine, limit],
    );
  }

  /**
   * A queued job is cancelled at once; a running one when its worker reaches the next chunk.
   * Returns the job's status after the request (null when it is not in `scope`), read in
   * the same statement, so a job that finishes meanwhile is never reported as cancellable.
   */
  async requestCancel(scope: Scope, id: string): Promise<ImportStatus | null> {
    const [row] = await this.dataSource.query(
      `WITH asked AS (
         UPDATE import_jobs SET
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
           finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
           cancel_requested = true, updated_at = now()
         WHERE id = $1 AND pool_id = $2 AND workspace_id = $3 AND status IN ('queued', 'running')
         RETURNING status)
       SELECT status FROM asked
       UNION ALL
       SELECT status FROM import_jobs WHERE id = $1 AND pool_id = $2 AND workspace_id = $3 AND NOT EXISTS (SELECT 1 FROM asked)`,
      [id, scope.poolId, scope.workspaceId],
    );
    return row?.status ?? null;
  }

  /**
   * Makes `owner` the only worker of the job, if it is queued or its previous owner's
   * lease ran out ('held' otherwise), and fewer than `maxRunning` other jobs of the
   * workspace are running ('busy' otherwise). Null when the job is over or gone.
   * The workspace's advisory lock serialises concurrent claims, so the cap holds.
   *
   * A run that would be the next after `maxRunsFromCheckpoint` runs in a row started from
   * the same checkpoint (each died or failed before committing a chunk) fails the job
   * instead ('stalled'): an upload that kills every worker taking it must not keep
   * taking them down.
   */
  async claim(id: string, owner: string, leaseSeconds: number, maxRunning: number, maxRunsFromCheckpoint: number): Promise<ImportJob | 'busy' | 'held' | 'stalled' | null> {
    return this.dataSource.transaction(async (tx) => {
      const job = await tx.getRepository(ImportJob).findOneBy({ id });
      if (!job || !['queued', 'running'].includes(job.status)) return null;
      if (job.status === 'running' && job.leaseUntil && job.leaseUntil.getTime() > Date.now() && job.leaseOwner !== owner) return 'held';
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('import-jobs:' || $1))`, [job.workspaceId]);
      const [{ running }] = await tx.query(
        `SELECT count(*)::int AS running FROM import_jobs WHERE workspace_id = $1 AND status = 'running' AND lease_until > now() AND id <> $2`,
        [job.workspaceId, id],
      );
      if (running >= maxRunning) return 'busy';
      // The lease is checked again here, on the row as it is now: two workers that both
      // read an expired lease above must not both take the job.
      const [[claimed]] = await tx.query(
        `UPDATE import_jobs SET status = 'running', lease_owner = $2, lease_until = now() + make_interval(secs => $3),
                started_at = coalesce(started_at, now()), updated_at = now(),
                runs_from_checkpoint = CASE WHEN run_from = checkpoint THEN runs_from_checkpoint + 1 ELSE 1 END, run_from = checkpoint
          WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until <= now() OR lease_owner = $2)))
          RETURNING runs_from_checkpoint AS runs, checkpoint`,
        [id, owner, leaseSeconds],
      );
      if (claimed && claimed.runs > maxRunsFromCheckpoint) {
        await tx.query(
          `UPDATE import_jobs SET status = 'failed', error = $2, finished_at = now(), lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE id = $1`,
          [id, stalledMessage(maxRunsFromCheckpoint, claimed.checkpoint)],
        );
        return 'stalled';
      }
      if (claimed) return tx.getRepository(ImportJob).findOneBy({ id });
      const now = await tx.getRepository(ImportJob).findOneBy({ id });
      return now?.status === 'running' ? 'held' : null;
    });
  }

  async renewLease(id: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const [, affected] = await this.jobs.query(
      `UPDATE import_jobs SET lease_until = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner, leaseSeconds],
    );
    return affected > 0;
  }

  /**
   * Ends `owner`'s lease at once (its process is stopping, or its run failed and is retried), so another
   * worker can claim the job without waiting for it to run out. A run handed back did not die on
   * the upload, so it is taken off the count of runs in a row from this checkpoint: restarts and
   * retries never fail an import as one that kills its workers.
   */
  async releaseLease(id: string, owner: string): Promise<void> {
    await this.jobs.query(
      `UPDATE import_jobs SET lease_until = now(), runs_from_checkpoint = greatest(runs_from_checkpoint - 1, 0)
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner],
    );
  }

  readLines(jobId: string, afterLine: number, limit: number): Promise<StagedLine[]> {
    return this.dataSource.query(`SELECT line, data FROM import_lines WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3`, [jobId, afterLine, limit]);
  }

  async insertErrors(tx: EntityManager, jobId: string, errors: RecordError[]): Promise<void> {
    if (!errors.length) return;
    await tx.query(
      `INSERT INTO import_errors (job_id, line, identifier, code, message)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING`,
      [jobId, errors.map((e) => e.line), errors.map((e) => e.identifier), errors.map((e) => e.code), errors.map((e) => e.message)],
    );
  }

  /**
   * Lets this chunk transaction commit without waiting for its WAL to reach the disk.
   * Safe for an import: the chunk's users, errors, counters and checkpoint are one
   * transaction, and WAL is replayed in order, so a PostgreSQL crash can only lose the
   * last few chunks whole (about 3 × wal_writer_delay of commits), checkpoint included;
   * the resumed worker then redoes exactly those lines. Nothing committed before them is
   * at risk, and any later synchronous commit (finish(), the next claim) flushes them.
   * Only for chunks that hand nothing to the outside world after commit (invitations).
   */
  async relaxCommit(tx: EntityManager): Promise<void> {
    await tx.query(`SET LOCAL synchronous_commit = off`);
  }

  /**
   * Advances counters and checkpoint (from `after` to `checkpoint`) with the chunk's
   * writes, only while `owner` holds the job and only right after the chunk before it:
   * ChunkOrderError when the checkpoint is not yet (or no longer) `after`.
   */
  async commitChunk(tx: EntityManager, id: string, owner: string, counts: ChunkCounts, after: number, checkpoint: number, leaseSeconds: number): Promise<void> {
    const [, affected] = await tx.query(
      `UPDATE import_jobs SET processed = processed + $3, created = created + $4, updated = updated + $5, skipped = skipped + $6,
              failed = failed + $7, checkpoint = $8, lease_until = now() + make_interval(secs => $9), updated_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'running' AND checkpoint = $10`,
      [id, owner, counts.processed, counts.created, counts.updated, counts.skipped, counts.failed, checkpoint, leaseSeconds, after],
    );
    if (affected) return;
    const [row] = await tx.query(`SELECT lease_owner, status FROM import_jobs WHERE id = $1`, [id]);
    if (!row || row.lease_owner !== owner || row.status !== 'running') throw new LeaseLostError();
    throw new ChunkOrderError();
  }

  /**
   * Marks `tx` as the transaction of the chunk starting at `firstLine`, until it ends
   * (an advisory lock, so a chunk written beside it can wait for it in PostgreSQL, where
   * a wait that closes a cycle is found and broken as a deadlock).
   */
  async holdChunk(tx: EntityManager, jobId: string, firstLine: number): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('import-chunk:' || $1), $2)`, [jobId, firstLine]);
  }

  /** Waits until the transaction of the chunk starting at `firstLine` has ended (see holdChunk). */
  async awaitChunk(tx: EntityManager, jobId: string, firstLine: number): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock_shared(hashtext('import-chunk:' || $1), $2)`, [jobId, firstLine]);
  }

  async finish(id: string, owner: string, status: 'completed' | 'cancelled' | 'failed', error?: string): Promise<void> {
    await this.jobs.query(
      `UPDATE import_jobs SET status = $3, error = $4, finished_at = now(), lease_owner = NULL, lease_until = NULL, updated_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner, status, error ?? null],
    );
  }

  /** Marks a job failed whoever holds it (its queue gave up on it). */
  async fail(id: string, error: string): Promise<void> {
    await this.jobs.update({ id, status: In(['queued', 'running']) }, { status: 'failed', error, finishedAt: () => 'now()', leaseOwner: null, leaseUntil: null });
  }

  /** The staged upload is only needed until the job ends. */
  async dropStaging(jobId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM import_lines WHERE job_id = $1`, [jobId]);
  }

  /** Jobs that should be in the queue: queued, or running without a live owner (with the lease that ran out). */
  async resumable(): Promise<ResumableImport[]> {
    const rows: { id: string; lease_until: Date | null }[] = await this.dataSource.query(
      `SELECT id, lease_until FROM import_jobs WHERE status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < now())) ORDER BY created_at LIMIT 1000`,
    );
    return rows.map((row) => ({ id: row.id, expiredLease: row.lease_until }));
  }
}

/** What an admin reads on an import failed by workers dying on it, and what to do next. */
function stalledMessage(runs: number, checkpoint: number): string {
  const kept = checkpoint ? `the records up to line ${checkpoint} are imported` : 'nothing was imported';
  return `the import stopped ${runs} times in a row after line ${checkpoint} of the upload: each worker running it died before committing the next records; ${kept}. See the workers' logs for why, then upload the records after line ${checkpoint} as a new import`;
}
