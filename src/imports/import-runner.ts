import { Inject, Injectable, Logger } from '@nestjs/common';
import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { GroupsService } from '../groups/groups.service';
import { Invitee, InvitationsService } from '../invitations/invitations.service';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { isDeadlock, uniqueViolation } from '../platform/database/pg-errors';
import { Transactions } from '../platform/database/transactions';
import { pgLower } from '../platform/text/pg-lower';
import { PoolRules, PoolsService } from '../pools/pools.service';
import { ImportRecord, parseImportRecord, recordIdentifier } from '../users/import-record';
import { PasswordHasher } from '../users/password-hasher';
import { PreparedRecord, UserImporter } from '../users/user-importer';
import { passwordPolicyViolation } from '../users/user-fields';
import { UserStatus } from '../users/user.entity';
import { ImportJob } from './import-job.entity';
import { ChunkCounts, ChunkOrderError, ImportJobsRepository, RecordError, StagedLine } from './import-jobs.repository';
import { discardedLine } from './ndjson-to-copy';

/** At most this many imports of one workspace run at once; more wait queued. */
export const MAX_RUNNING_PER_WORKSPACE = 2;

/** Runs in a row that may start from one checkpoint (each died or failed there) before the import fails. */
export const MAX_RUNS_FROM_CHECKPOINT = 5;

export type RunResult = 'finished' | 'busy' | 'held';

/**
 * Users created by a run before it refreshes the table's statistics; then again each time
 * that count doubles (about eleven times for a million), so the planner never sees a pool
 * much smaller than it is.
 */
const FIRST_ANALYZE_AT = 1_000;

/**
 * Plaintext passwords hashed per chunk at most: a second or two of argon2id on two cores.
 * A chunk of them ends before the next one, so a cancel is seen and progress moves that
 * often, where 2,000 of them took half a minute.
 */
const HASHES_PER_CHUNK = 100;

/**
 * Runs one import: claims it (one worker per job), then takes staged lines chunk by
 * chunk. Each chunk is one transaction holding its users, groups, invitations, errors,
 * counters and checkpoint, so a worker killed anywhere resumes at the last committed
 * chunk with exact counts and no duplicate.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);
  /** This process, in lease owners (lease_owner is varchar(64); pod names run to 63 characters). */
  private readonly instance = `${hostname().slice(0, 40)}:${process.pid}`;
  /** Set when the process stops: runs hand their import back at the next chunk instead of finishing it. */
  private stopping = false;

  constructor(
    private readonly repository: ImportJobsRepository,
    private readonly importer: UserImporter,
    private readonly groups: GroupsService,
    private readonly invitations: InvitationsService,
    private readonly pools: PoolsService,
    private readonly hasher: PasswordHasher,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Makes every run stop after the chunk it is writing and hand its import back (lease
   * ended), so a stopping process exits in seconds however large the upload, and the next
   * worker, or this one restarted, resumes from the checkpoint at once.
   */
  stop(): void {
    this.stopping = true;
  }

  async run(importId: string): Promise<RunResult> {
    const { leaseSeconds, chunkSize } = this.config.imports;
    // One owner per run, not per process: when Redis hands this process the same import
    // twice (a stalled job re-delivered, a resume job beside the original), the second
    // run must find the job 'held', not share the first run's lease and commit its chunks twice.
    const owner = `${this.instance}:${randomBytes(4).toString('hex')}`;
    const claimed = await this.repository.claim(importId, owner, leaseSeconds, MAX_RUNNING_PER_WORKSPACE, MAX_RUNS_FROM_CHECKPOINT);
    if (claimed === 'busy') return 'busy';
    if (claimed === 'held') return 'held';
    if (claimed === 'stalled') {
      this.logger.error({ importId, runs: MAX_RUNS_FROM_CHECKPOINT }, 'Import failed: every run stopped at the same point of the upload');
      await this.dropStaging(importId);
      return 'finished';
    }
    if (!claimed) return 'finished';
    const job = claimed;
    const pool = await this.pools.findRules(job.workspaceId, job.poolId);
    if (!pool) {
      await this.repository.finish(job.id, owner, 'failed', 'the pool was deleted');
      return 'finished';
    }
    this.logger.log({ importId, poolId: job.poolId, total: job.total, resumeAfterLine: job.checkpoint }, 'Import started');
    // Renewing apart from chunk commits keeps the lease through a slow chunk (plaintext hashing).
    const heartbeat = setInterval(() => void this.repository.renewLease(job.id, owner, leaseSeconds).catch(() => undefined), (leaseSeconds * 1000) / 3);
    // Reads and prepares (parses, validates, hashes) the chunk after `afterLine`. The next
    // chunk is prepared while this one is written, so parsing and argon2 on this process's
    // cores overlap PostgreSQL's work instead of taking turns with it.
    const load = (afterLine: number) => {
      const chunk = this.repository.readLines(job.id, afterLine, chunkSize).then(async (read): Promise<PreparedChunk> => {
        const { lines, prepared, errors } = await this.prepare(read, pool);
        return { lines, prepared, errors, ...chunkKeys(prepared) };
      });
      // Awaited on the next turn; if the current chunk fails first, this rejection must not go unhandled (that ends the process).
      chunk.catch(() => undefined);
      return chunk;
    };
    let analyzeAt = FIRST_ANALYZE_AT;
    let analyzing: Promise<void> | null = null;
    let created = 0;
    // The chunk being written, while the next one is written beside it: two transactions,
    // so PostgreSQL works on two cores. They still commit in line order (see writeChunk).
    let ahead: ChunkInFlight | null = null;
    let checkpoint = job.checkpoint;
    /** Groups (names folded by pgLower) that committed chunks assigned, so they exist. */
    const knownGroups = new Set<string>();
    const settled = (written: ChunkWritten) => {
      written.groups.forEach((name) => knownGroups.add(pgLower(name)));
      return written.created;
    };
    try {
      let next = load(job.checkpoint);
      for (;;) {
        const current = await this.repository.findById(job.id);
        if (!current || current.leaseOwner !== owner) return 'finished';
        if (this.stopping) {
          if (ahead) await ahead.committed;
          await this.repository.releaseLease(job.id, owner);
          this.logger.log({ importId, resumeAfterLine: (await this.repository.findById(job.id))?.checkpoint }, 'Import handed back: this process is stopping; a worker resumes it from its checkpoint');
          return 'finished';
        }
        if (current.cancelRequested) {
          if (ahead) created += settled(await ahead.committed);
          const done = (await this.repository.findById(job.id)) ?? current;
          // A cancel that came after the last record was written is too late: it completed.
          if (done.processed >= done.total) await this.complete(done, owner);
          else {
            await this.repository.finish(job.id, owner, 'cancelled');
            this.logger.log({ importId, processed: done.processed, total: done.total }, 'Import cancelled');
          }
          break;
        }
        const chunk = await next;
        if (!chunk.lines.length) {
          if (ahead) created += settled(await ahead.committed);
          await this.complete((await this.repository.findById(job.id)) ?? current, owner);
          break;
        }
        const lastLine = chunk.lines[chunk.lines.length - 1].line;
        next = load(lastLine);
        // Side by side only when neither can wait for the other: no key (externalId, email,
        // mobile) in both, and no group the chunk may have to create. Then the chunk ahead
        // never waits for this one, and this one waits for it only in PostgreSQL.
        if (ahead && (sharesKey(chunk.keys, ahead.keys) || [...chunk.groups].some((name) => !knownGroups.has(name)))) {
          created += settled(await ahead.committed);
          ahead = null;
        }
        const writing = this.writeChunk(job, owner, pool, chunk, checkpoint, ahead);
        checkpoint = lastLine;
        // At most two in flight: this one starts, then the one ahead must have committed.
        await writing.started;
        if (ahead) created += settled(await ahead.committed);
        ahead = writing;
        if (created >= analyzeAt && !analyzing) {
          analyzeAt *= 2;
          // Beside the chunks, not between them: ANALYZE takes up to a second at a million
          // rows and blocks no insert, while awaiting it here held every chunk back.
          analyzing = this.importer
            .refreshStatistics()
            .catch((error) => this.logger.warn({ importId, err: (error as Error).message }, 'Could not refresh statistics; the import goes on'))
            .finally(() => (analyzing = null));
        }
      }
    } catch (error) {
      // The retry (or another worker) may take the job over at once: this run holds nothing.
      await ahead?.committed.catch(() => undefined);
      await this.repository.releaseLease(job.id, owner).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
      // A chunk left in flight by a lost lease must settle before the run ends.
      await ahead?.committed.catch(() => undefined);
      await analyzing;
    }
    await this.dropStaging(importId);
    return 'finished';
  }

  private async complete(done: ImportJob, owner: string): Promise<void> {
    await this.repository.finish(done.id, owner, 'completed');
    this.logger.log({ importId: done.id, total: done.total, created: done.created, updated: done.updated, skipped: done.skipped, failed: done.failed }, 'Import completed');
  }

  private async dropStaging(importId: string): Promise<void> {
    await this.repository.dropStaging(importId).catch((error) => this.logger.warn({ importId, err: (error as Error).message }, 'Could not drop staged lines'));
  }

  /**
   * Writes a chunk beside the one `ahead` of it (null: alone), returning at once:
   * `started` settles when its transaction holds its place (holdChunk), `committed` with
   * the users it created. It commits only after the chunk ahead: it waits for it before
   * matching existing users (if any match) and before its checkpoint, and the checkpoint
   * update requires the line the chunk ahead ended at. If the two collide (a key both
   * insert, a deadlock PostgreSQL broke, or the chunk ahead not yet committed), it is
   * written again alone once the chunk ahead has committed, as if they had never overlapped;
   * if the chunk ahead failed, so does this one.
   */
  private writeChunk(job: ImportJob, owner: string, pool: PoolRules, chunk: PreparedChunk, after: number, ahead: ChunkInFlight | null): ChunkInFlight {
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const committed = (async () => {
      try {
        return await this.importChunk(job, owner, pool, chunk, after, ahead, markStarted);
      } catch (error) {
        markStarted();
        if (!ahead || !(error instanceof ChunkOrderError || uniqueViolation(error) !== null || isDeadlock(error))) throw error;
        await ahead.committed;
        return this.importChunk(job, owner, pool, chunk, after, null, () => undefined);
      }
    })();
    committed.catch(() => undefined);
    return { firstLine: chunk.lines[0].line, keys: chunk.keys, started, committed };
  }

  /** Writes one chunk in one transaction; returns how many users it created and the groups it assigned. */
  private async importChunk(job: ImportJob, owner: string, pool: PoolRules, chunk: PreparedChunk, after: number, ahead: ChunkInFlight | null, started: () => void): Promise<ChunkWritten> {
    const { lines, prepared } = chunk;
    const errors = [...chunk.errors];
    const scope = { workspaceId: job.workspaceId, poolId: job.poolId };
    const byLine = new Map(prepared.map((p) => [p.line, p.record]));
    const awaitAhead = ahead ? (tx: EntityManager) => this.repository.awaitChunk(tx, job.id, ahead.firstLine) : null;
    return this.transactions.run(async (tx) => {
      await this.repository.holdChunk(tx, job.id, lines[0].line);
      started();
      // Without invitations nothing leaves the transaction, so its commit need not wait for
      // the WAL flush: see relaxCommit for why a lost chunk is redone exactly.
      if (!job.options.sendInvitations) await this.repository.relaxCommit(tx);
      const outcomes = await this.importer.importBatch(tx, scope, prepared, job.options.onConflict, awaitAhead ? () => awaitAhead(tx) : undefined);
      const counts: ChunkCounts = { processed: lines.length, created: 0, updated: 0, skipped: 0, failed: errors.length };
      const assignments: { userId: string; groups: string[] }[] = [];
      // The users this chunk creates, and those it updates, as its last record about each
      // leaves them: a later line may give one a password (no invitation then) or another
      // address (mailed there).
      const created = new Map<string, { email: string | null; status: UserStatus }>();
      const updated = new Map<string, { email: string | null; status: UserStatus }>();
      for (const outcome of outcomes) {
        if (outcome.kind === 'error') {
          counts.failed += 1;
          errors.push({ line: outcome.line, identifier: identifierOf(byLine.get(outcome.line)), code: outcome.problem.code, message: outcome.problem.message });
          continue;
        }
        counts[outcome.kind] += 1;
        if (outcome.kind === 'skipped') continue;
        if (outcome.groups.length) assignments.push({ userId: outcome.userId, groups: outcome.groups });
        const user = { email: outcome.email, status: outcome.status };
        if (outcome.kind === 'created' || created.has(outcome.userId)) created.set(outcome.userId, user);
        else updated.set(outcome.userId, user);
      }
      if (job.options.sendInvitations) {
        const invitees = (users: Map<string, { email: string | null; status: UserStatus }>): Invitee[] =>
          [...users].flatMap(([userId, { email, status }]) => (status === 'invited' && email ? [{ ...scope, userId, email, ttlHours: pool.invitationTtlHours }] : []));
        await this.invitations.open(tx, invitees(created), { newUser: true });
        // Users imported before without invitations (or whose link ran out) get one now.
        await this.invitations.openWhereMissing(tx, invitees(updated));
      }
      await this.groups.assignByNames(tx, job.workspaceId, assignments);
      await this.repository.insertErrors(tx, job.id, errors);
      if (awaitAhead) await awaitAhead(tx);
      await this.repository.commitChunk(tx, job.id, owner, counts, after, lines[lines.length - 1].line, this.config.imports.leaseSeconds);
      return { created: counts.created, groups: [...new Set(assignments.flatMap((a) => a.groups))] };
    });
  }

  /**
   * Parses and validates each line and settles its credential; bad lines become errors.
   * The chunk ends before the line that would need more than HASHES_PER_CHUNK hashes;
   * the lines after it are read again as the next chunk.
   */
  private async prepare(read: StagedLine[], pool: PoolRules): Promise<Pick<PreparedChunk, 'lines' | 'prepared' | 'errors'>> {
    const prepared: PreparedRecord[] = [];
    const errors: RecordError[] = [];
    const plaintext: { index: number; password: string }[] = [];
    let kept = read.length;
    for (const [index, { line, data }] of read.entries()) {
      const discarded = discardedLine(data);
      if (discarded) {
        errors.push({ line, identifier: null, ...discarded });
        continue;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(data!);
      } catch {
        errors.push({ line, identifier: null, code: 'invalid_json', message: 'the line is not valid JSON' });
        continue;
      }
      const parsed = parseImportRecord(raw);
      const identifier = recordIdentifier(raw);
      if (parsed.problem) {
        errors.push({ line, identifier, ...parsed.problem });
        continue;
      }
      const { record } = parsed;
      const hashCheck = record.passwordHash === undefined ? null : this.hasher.checkHash(record.passwordHash);
      if (hashCheck && !hashCheck.supported) {
        errors.push({ line, identifier, code: 'unsupported_hash', message: `passwordHash: ${hashCheck.message}` });
        continue;
      }
      if (record.password !== undefined) {
        const violation = passwordPolicyViolation(pool.passwordPolicy, record.password);
        if (violation) {
          errors.push({ line, identifier, code: 'weak_password', message: violation });
          continue;
        }
        if (plaintext.length === HASHES_PER_CHUNK) {
          kept = index;
          break;
        }
        plaintext.push({ index: prepared.length, password: record.password });
      }
      prepared.push({ line, record: { ...record, password: undefined }, passwordHash: record.passwordHash ?? null });
    }
    await this.hashAll(prepared, plaintext);
    return { lines: read.slice(0, kept), prepared, errors };
  }

  /** argon2id on every core: as many hashes in flight as cores (each runs on a libuv thread). */
  private async hashAll(prepared: PreparedRecord[], plaintext: { index: number; password: string }[]): Promise<void> {
    let cursor = 0;
    const lanes = Array.from({ length: Math.min(availableParallelism(), plaintext.length) }, async () => {
      while (cursor < plaintext.length) {
        const { index, password } = plaintext[cursor++];
        prepared[index].passwordHash = await this.hasher.hash(password);
      }
    });
    await Promise.all(lanes);
  }
}

interface ChunkWritten {
  created: number;
  groups: string[];
}

interface ChunkInFlight {
  firstLine: number;
  keys: Set<string>;
  started: Promise<void>;
  committed: Promise<ChunkWritten>;
}

interface PreparedChunk {
  lines: StagedLine[];
  prepared: PreparedRecord[];
  errors: RecordError[];
  /** Every unique key its records carry: `x:` externalId, `e:` email folded by pgLower, `m:` mobile. */
  keys: Set<string>;
  /** The group names its records name, folded by pgLower. */
  groups: Set<string>;
}

function chunkKeys(prepared: PreparedRecord[]): Pick<PreparedChunk, 'keys' | 'groups'> {
  const keys = new Set<string>();
  const groups = new Set<string>();
  for (const { record } of prepared) {
    if (record.externalId) keys.add(`x:${record.externalId}`);
    if (record.email) keys.add(`e:${pgLower(record.email)}`);
    if (record.mobile) keys.add(`m:${record.mobile}`);
    for (const name of record.groups ?? []) groups.add(pgLower(name));
  }
  return { keys, groups };
}

function sharesKey(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const key of small) if (large.has(key)) return true;
  return false;
}

function identifierOf(record: ImportRecord | undefined): string | null {
  return record?.externalId ?? record?.email ?? record?.mobile ?? null;
}
