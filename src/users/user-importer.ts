import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InvitationsService } from '../invitations/invitations.service';
import { uuidV7 } from '../platform/ids/uuid-v7';
import { equalFolded, pgLower } from '../platform/text/pg-lower';
import { EMAIL_OR_MOBILE_REQUIRED, ImportRecord, RecordProblem } from './import-record';
import { SessionRevoker } from './session-revoker';
import { ImportMatch, ImportRow, UsersRepository } from './users.repository';
import { UserStatus } from './user.entity';

export type OnConflict = 'skip' | 'update' | 'fail';

/** A valid record with its final credential: an argon2id hash of a plaintext password, or a legacy hash as given. */
export interface PreparedRecord {
  line: number;
  record: ImportRecord;
  passwordHash: string | null;
}

export type ImportOutcome =
  | { line: number; kind: 'created' | 'updated'; userId: string; email: string | null; status: UserStatus; groups: string[] }
  | { line: number; kind: 'skipped' }
  | { line: number; kind: 'error'; problem: RecordProblem };

/** A user as this batch will leave it, keyed for the uniqueness checks the database will make. */
interface Planned {
  row: ImportRow;
  /** The user as the database holds it before this batch; null for one the batch creates. */
  stored: ImportMatch | null;
  passwordHash: string | null;
}

/**
 * Writes a batch of migration records in the caller's transaction with a few set-based
 * statements. Matching and uniqueness are decided here first (externalId, then email, then
 * mobile for a record without email; mobiles must stay unique), so the statements never hit
 * a constraint and one bad record never fails the others.
 */
@Injectable()
export class UserImporter {
  constructor(
    private readonly repository: UsersRepository,
    private readonly invitations: InvitationsService,
    private readonly sessions: SessionRevoker,
  ) {}

  /**
   * `settle`, for a batch written while an earlier one may not have committed yet: when
   * the batch matches existing users it is awaited (it waits for the earlier batch to
   * end) and the matching is done again, so updates and skips rest on what the earlier
   * batch left, as if the two had run one after the other. A batch that only creates
   * users needs no wait: a key it shares with the earlier batch fails its insert, and the
   * caller writes it again once the earlier one has committed.
   */
  async importBatch(
    tx: EntityManager,
    scope: { workspaceId: string; poolId: string },
    records: PreparedRecord[],
    onConflict: OnConflict,
    settle?: () => Promise<void>,
  ): Promise<ImportOutcome[]> {
    const keys = {
      externalIds: records.flatMap((r) => (r.record.externalId ? [r.record.externalId] : [])),
      emails: records.flatMap((r) => (r.record.email ? [pgLower(r.record.email)] : [])),
      mobiles: records.flatMap((r) => (r.record.mobile ? [r.record.mobile] : [])),
    };
    let existing = await this.repository.findImportMatches(tx, scope, keys);
    if (settle && existing.length) {
      await settle();
      existing = await this.repository.findImportMatches(tx, scope, keys);
    }
    const byExternalId = new Map<string, Planned>();
    const byEmail = new Map<string, Planned>();
    const byMobile = new Map<string, Planned>();
    const index = (planned: Planned) => {
      if (planned.row.externalId) byExternalId.set(planned.row.externalId, planned);
      if (planned.row.email) byEmail.set(pgLower(planned.row.email), planned);
      if (planned.row.mobile) byMobile.set(planned.row.mobile, planned);
    };
    // A plan is indexed under its own row's keys only, so those are all it has to leave
    // (looking for it through whole maps made each batch quadratic in its size).
    const unindex = (planned: Planned) => {
      if (planned.row.externalId && byExternalId.get(planned.row.externalId) === planned) byExternalId.delete(planned.row.externalId);
      if (planned.row.email && byEmail.get(pgLower(planned.row.email)) === planned) byEmail.delete(pgLower(planned.row.email));
      if (planned.row.mobile && byMobile.get(planned.row.mobile) === planned) byMobile.delete(planned.row.mobile);
    };
    for (const match of existing) index({ row: match, stored: match, passwordHash: null });

    const touched = new Set<Planned>();
    const outcomes: ImportOutcome[] = [];
    for (const prepared of records) {
      const { record, line } = prepared;
      // API.md matches by externalId, then email, so that a re-run is idempotent. A record
      // without an email can only be found again by its mobile (unique per pool as well), so
      // it matches by mobile: otherwise re-running mobile-only records failed every one of them.
      const target =
        (record.externalId && byExternalId.get(record.externalId)) ||
        (record.email && byEmail.get(pgLower(record.email))) ||
        (!record.email && record.mobile && byMobile.get(record.mobile)) ||
        undefined;
      // Another externalId than the one of the user its email (or mobile) matches: another
      // account of the system migrated from, which an update would merge into this one.
      if (target && record.externalId && target.row.externalId && target.row.externalId !== record.externalId) {
        outcomes.push({ line, kind: 'error', problem: { code: 'conflict', message: 'another user of the pool has this email or mobile number, with a different externalId' } });
        continue;
      }
      if (target && onConflict === 'skip') {
        outcomes.push({ line, kind: 'skipped' });
        continue;
      }
      if (target && onConflict === 'fail') {
        outcomes.push({ line, kind: 'error', problem: { code: 'conflict', message: 'a user with this externalId, email or mobile already exists in the pool' } });
        continue;
      }
      if (!target && !record.email && !record.mobile) {
        outcomes.push({ line, kind: 'error', problem: { code: 'invalid_record', message: `${EMAIL_OR_MOBILE_REQUIRED} to create a user (no user of the pool has this externalId)` } });
        continue;
      }
      const clash = this.clash(record, target, byExternalId, byEmail, byMobile);
      if (clash) {
        outcomes.push({ line, kind: 'error', problem: { code: 'conflict', message: clash } });
        continue;
      }
      const planned = target ? this.merge(target, prepared) : this.create(scope, prepared);
      if (target) unindex(target);
      index(planned);
      // The merged plan replaces its target: a user written twice in one statement would
      // break the primary key (INSERT) or keep an arbitrary version (UPDATE ... FROM).
      if (target) touched.delete(target);
      touched.add(planned);
      outcomes.push({ line, kind: target ? 'updated' : 'created', userId: planned.row.id, email: planned.row.email, status: planned.row.status, groups: record.groups ?? [] });
    }

    const plans = [...touched];
    const updates = plans.filter((p) => p.stored);
    const disabled = updates.filter((p) => p.row.status === 'disabled' && p.stored!.status !== 'disabled').map((p) => p.row.id);
    await this.repository.insertMany(tx, plans.filter((p) => !p.stored).map((p) => p.row));
    await this.repository.updateMany(tx, scope, updates.map((p) => p.row), { endSessionsOf: disabled, at: new Date() });
    await this.repository.setPasswords(tx, plans.flatMap((p) => (p.passwordHash ? [{ userId: p.row.id, passwordHash: p.passwordHash }] : [])));
    // As PATCH does when it disables a user: sessions and refresh tokens end with it.
    for (const userId of disabled) await this.sessions.revokeAll(tx, userId);
    for (const plan of updates) if (retiresInvitation(plan)) await this.invitations.revokeOpen(tx, plan.row.id);
    return outcomes;
  }

  /**
   * Call outside the batch transactions as a migration grows the pool (the import runner
   * does at 1,000 created users, then each time that number doubles).
   */
  refreshStatistics(): Promise<void> {
    return this.repository.analyze();
  }

  /** Why this record cannot take its email, mobile or externalId: another user has it. */
  private clash(record: ImportRecord, self: Planned | undefined, byExternalId: Map<string, Planned>, byEmail: Map<string, Planned>, byMobile: Map<string, Planned>): string | null {
    const other = (planned: Planned | undefined) => planned !== undefined && planned !== self;
    if (record.externalId && other(byExternalId.get(record.externalId))) return 'another user of the pool has this externalId';
    if (record.email && other(byEmail.get(pgLower(record.email)))) return 'another user of the pool has this email';
    if (record.mobile && other(byMobile.get(record.mobile))) return 'another user of the pool has this mobile number';
    return null;
  }

  private create(scope: { workspaceId: string; poolId: string }, { record, passwordHash }: PreparedRecord): Planned {
    return {
      stored: null,
      passwordHash,
      row: {
        // Time-ordered: a migration's users go to the right edge of the id indexes (see uuidV7).
        id: uuidV7(),
        ...scope,
        email: record.email ?? null,
        mobile: record.mobile ?? null,
        givenName: record.givenName ?? null,
        familyName: record.familyName ?? null,
        name: record.name ?? null,
        externalId: record.externalId ?? null,
        attributes: record.attributes ?? {},
        emailVerified: record.emailVerified ?? false,
        // Without a credential a user can only be invited (or disabled) until it sets one.
        status: record.status === 'disabled' ? 'disabled' : passwordHash ? 'active' : 'invited',
      },
    };
  }

  /** The record's fields over the user's; a new credential makes an invited or pending user active. */
  private merge(target: Planned, { record, passwordHash }: PreparedRecord): Planned {
    const row = target.row;
    const hasCredential = !!passwordHash || !!target.passwordHash || !!target.stored?.hasPassword;
    const statusFromRecord: UserStatus | undefined = record.status === 'active' && !hasCredential ? undefined : record.status;
    const awaitingCredential = row.status === 'invited' || row.status === 'pending_verification';
    return {
      stored: target.stored,
      passwordHash: passwordHash ?? target.passwordHash,
      row: {
        ...row,
        email: record.email ?? row.email,
        mobile: record.mobile ?? row.mobile,
        givenName: record.givenName ?? row.givenName,
        familyName: record.familyName ?? row.familyName,
        name: record.name ?? row.name,
        externalId: record.externalId ?? row.externalId,
        attributes: record.attributes ?? row.attributes,
        emailVerified: record.emailVerified ?? (record.email && !equalFolded(record.email, row.email) ? false : row.emailVerified),
        status: statusFromRecord ?? (passwordHash && awaitingCredential ? 'active' : row.status),
      },
    };
  }
}

/**
 * Whether writing the plan must retire the user's open invitation, for the reasons PUT
 * .../password and PATCH retire it: once the user has a password, is no longer invited
 * (active or disabled) or has another address, a link mailed earlier must neither set a
 * password nor prove the new address. Only an invited user can hold an open invitation
 * (accepting it, a password or a disable ends it), so the others need no statement.
 */
function retiresInvitation({ stored, row, passwordHash }: Planned): boolean {
  if (stored?.status !== 'invited') return false;
  return passwordHash !== null || row.status !== 'invited' || !equalFolded(stored.email, row.email);
}
