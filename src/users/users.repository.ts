import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { EntityRows } from '../platform/database/entity-rows';
import { foreignKeyViolation, uniqueViolation } from '../platform/database/pg-errors';
import { preparedQuery, unpreparedQuery } from '../platform/database/prepared';
import { Page, PageQuery, decodeCursor, encodeCursor, paginate } from '../platform/pagination/page';
import { pgLower } from '../platform/text/pg-lower';
import { PoolNotFoundError } from '../pools/pools.errors';
import { prefixRange } from './prefix-range';
import { asStoredIdentifier } from './user-fields';
import { Credential } from './credential.entity';
import { User, UserStatus } from './user.entity';
import { UserFieldTakenError } from './users.errors';

export type NewUser = Omit<User, 'id' | 'workspaceId' | 'poolId' | 'createdAt' | 'updatedAt' | 'failedSignIns' | 'lockedUntil' | 'lastSignInAt' | 'sessionsValidAfter'>;
export type UserChanges = Partial<Pick<User, 'email' | 'mobile' | 'givenName' | 'familyName' | 'name' | 'attributes' | 'status' | 'emailVerified' | 'failedSignIns' | 'lockedUntil' | 'sessionsValidAfter'>>;

export interface UserFilter extends PageQuery {
  search?: string;
  status?: UserStatus;
  groupId?: string;
}

/**
 * Duplicates surface as unique-index violations, so concurrent creates cannot both win.
 * A user's only foreign key is its pool: violated, the pool was deleted meanwhile.
 */
function rethrowConstraint(error: unknown): never {
  const constraint = uniqueViolation(error);
  if (constraint && UserFieldTakenError.constraints.includes(constraint)) throw new UserFieldTakenError([constraint]);
  if (foreignKeyViolation(error) !== null) throw new PoolNotFoundError();
  throw error;
}

/** Page size when `limit` is absent, as in paginate(). */
const DEFAULT_PAGE_SIZE = 50;

/**
 * The searchable fields, each with a prefix index (users_search_*_idx) that also holds
 * (created_at, id): lower-cased copies kept by PostgreSQL, and mobile as typed.
 */
const SEARCHED = ['email_folded', 'mobile', 'given_name_folded', 'family_name_folded', 'name_folded'];

/**
 * A search walks at most this many users per row asked for in page order before it
 * sorts the matches instead: 40 covers a prefix that about 1 user in 40 matches.
 */
const SEARCH_WALK_FACTOR = 40;

/** Adds a bound parameter and returns its placeholder. */
function bind(params: unknown[], value: unknown): string {
  return `$${params.push(value)}`;
}

/**
 * The user an identifier names ($3) in the first of the pools ($2, in order) of workspace $1 that has it,
 * with what sign-in needs. Emails compare case-insensitively, mobiles exactly. An account that can
 * sign in (active, with a password) comes before the pools' order: an unverified registration, an
 * invitation or a disabled account in a pool ranked first must not hide someone's working account
 * in another (anyone could register a known address in an open pool and lock its owner out).
 *
 * One lookup per pool on its unique (pool_id, key) index, as in findImportMatches and for the
 * same reason: written as `workspace_id = $1 AND pool_id = ANY($2) AND lower(email) = ..`, the
 * prepared statement's generic plan over stale statistics read every user of the workspace
 * through users (workspace_id, id) and filtered, at every sign-in (2,984 pages among 3,000
 * users; test/e2e/hot-query-plans). The workspace is checked on the result.
 */
export const SIGN_IN_LOOKUP = Object.fromEntries(
  (['email', 'mobile'] as const).map((by) => [
    by,
    `SELECT u.id, u.pool_id AS "poolId", u.status, u.locked_until AS "lockedUntil", c.password_hash AS "passwordHash"
       FROM unnest($2::uuid[]) WITH ORDINALITY AS p(id, rank)
       CROSS JOIN LATERAL (
         SELECT id, workspace_id, pool_id, status, locked_until FROM users
          WHERE pool_id = p.id AND ${by === 'email' ? 'lower(email) = lower($3)' : 'mobile = $3'} LIMIT 1) u
       LEFT JOIN credentials c ON c.user_id = u.id
      WHERE u.workspace_id = $1
      ORDER BY (u.status = 'active' AND c.password_hash IS NOT NULL) DESC, p.rank
      LIMIT 1`,
  ]),
) as Record<'email' | 'mobile', string>;

@Injectable()
export class UsersRepository {
  private readonly userRows: EntityRows<User>;

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {
    this.userRows = new EntityRows(users, 'u');
  }

  /**
   * Inserts a user and, with `passwordHash`, its credential in the same statement (a
   * data-modifying CTE is atomic on its own). Without `tx` it runs as a prepared
   * statement: one round trip, no BEGIN/COMMIT.
   */
  async insert(scope: { workspaceId: string; poolId: string }, fields: NewUser, options: { tx?: EntityManager; passwordHash?: string } = {}): Promise<User> {
    const values: unknown[] = [
      scope.workspaceId, scope.poolId, fields.email, fields.mobile, fields.givenName, fields.familyName, fields.name,
      fields.externalId, JSON.stringify(fields.attributes), fields.status, fields.emailVerified,
    ];
    const user = `INSERT INTO users (workspace_id, pool_id, email, mobile, given_name, family_name, name, external_id, attributes, status, email_verified)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`;
    let text = `WITH u AS (${user}) SELECT ${this.userRows.columns} FROM u`;
    if (options.passwordHash !== undefined) {
      values.push(options.passwordHash);
      text = `WITH u AS (${user}), c AS (INSERT INTO credentials (user_id, password_hash) SELECT id, $12 FROM u) SELECT ${this.userRows.columns} FROM u`;
    }
    const rows: User[] = await (options.tx ? options.tx.query(text, values) : preparedQuery<User>(this.users.manager.connection, text, values)).catch(rethrowConstraint);
    return this.userRows.hydrate(rows[0]);
  }

  /**
   * One page of a pool's users: keyset pagination by (created_at, id) with the cursor
   * paginate() uses, in plain SQL (EntityRows).
   */
  async list(scope: { workspaceId: string; poolId: string }, filter: UserFilter): Promise<Page<User>> {
    const params: unknown[] = [scope.poolId, scope.workspaceId];
    const param = (value: unknown): string => bind(params, value);
    // The pool's users that pass the filters; the workspace is checked beside them.
    const inPool = ['u.pool_id = $1'];
    if (filter.status) inPool.push(`u.status = ${param(filter.status)}`);
    if (filter.groupId) {
      inPool.push(`EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ${param(filter.groupId)} AND gm.user_id = u.id)`);
    }
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      inPool.push(`(u.created_at, u.id) > (${param(after.createdAt)}, ${param(after.id)})`);
    }
    const where = ['u.workspace_id = $2', ...inPool];
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const search = filter.search ? asStoredIdentifier(filter.search) : '';
    const rows = search
      ? await this.searchPage({ where: where.join(' AND '), inPool: inPool.join(' AND ') }, search, limit + 1, params)
      : await unpreparedQuery<User>(
          this.users.manager.connection,
          `SELECT ${this.userRows.columns} FROM users u WHERE ${where.join(' AND ')} ORDER BY u.created_at, u.id LIMIT ${param(limit + 1)}`,
          params,
        );
    const items = rows.slice(0, limit).map((row) => this.userRows.hydrate(row));
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
  }

  /**
   * The first `take` users in page order among those matching `where` whose email, mobile
   * or a name starts with `prefix`, case-insensitively. Two ways to find them, and the
   * planner cannot tell which is cheaper, since it assumes matches are spread evenly over
   * page order: walking the users in page order pays off when matches are dense near the
   * start, putting all matches in page order when they are few. It guessed wrong both
   * ways at a million users (30 ms instead of 1.5). So the statement decides as it goes:
   * it walks a bounded stretch, and only when that held too few matches does it take each
   * field's matches (`inPool`: the filters without the workspace, which the indexes do
   * not hold) from that field's index alone, without reading their rows, and read just
   * the first `take` of them. Its text varies only with the filters, so it is a prepared
   * statement.
   */
  private searchPage(filters: { where: string; inPool: string }, prefix: string, take: number, params: unknown[]): Promise<User[]> {
    const param = (value: unknown): string => bind(params, value);
    const { from, to } = prefixRange(pgLower(prefix.toWellFormed()));
    const [fromParam, toParam] = [param(from), to === null ? null : param(to)];
    const inRange = (field: string) => `u.${field} ~>=~ ${fromParam}${toParam ? ` AND u.${field} ~<~ ${toParam}` : ''}`;
    const matches = `(${SEARCHED.map(inRange).join(' OR ')})`;
    const [takeParam, walkParam] = [param(take), param(take * SEARCH_WALK_FACTOR)];
    // A user matching on several fields comes once from each of their indexes: the first
    // take × fields of them in page order hold the first `take` users.
    const spanParam = param(take * SEARCHED.length);
    const indexed = SEARCHED.map((field) => `SELECT u.created_at, u.id FROM users u WHERE ${filters.inPool} AND ${inRange(field)}`).join(' UNION ALL ');
    return preparedQuery<User>(
      this.users.manager.connection,
      `WITH walked AS MATERIALIZED (
         SELECT u.* FROM (SELECT * FROM users u WHERE ${filters.where} ORDER BY u.created_at, u.id LIMIT ${walkParam}) u
          WHERE ${matches} ORDER BY u.created_at, u.id LIMIT ${takeParam}),
       sorted AS (
         SELECT DISTINCT m.created_at, m.id FROM (
           SELECT * FROM (${indexed}) m WHERE (SELECT count(*) FROM walked) < ${takeParam}
            ORDER BY m.created_at, m.id LIMIT ${spanParam}) m
          ORDER BY m.created_at, m.id LIMIT ${takeParam}),
       found AS (
         SELECT * FROM walked WHERE (SELECT count(*) FROM walked) = ${takeParam}
         UNION ALL
         SELECT u.* FROM users u WHERE u.id IN (SELECT id FROM sorted) AND ${filters.where})
       SELECT ${this.userRows.columns} FROM found u ORDER BY u.created_at, u.id`,
      params,
      { serial: { rowsAtMost: take } },
    );
  }

  /** Members of a group, from any pool of the workspace. */
  listGroupMembers(workspaceId: string, groupId: string, query: PageQuery): Promise<Page<User>> {
    const qb = this.users
      .createQueryBuilder('u')
      .where('u.workspace_id = :workspaceId', { workspaceId })
      .andWhere('EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = :groupId AND gm.user_id = u.id)', { groupId });
    return paginate(qb, query);
  }

  find(scope: { workspaceId: string; poolId: string }, id: string): Promise<User | null> {
    return this.users.findOneBy({ ...scope, id });
  }

  /**
   * Reads a user in order to change it: the row stays locked until `tx` ends, so changes
   * to one user run one after another and each decides on what the previous one wrote
   * (a PATCH removing the email and one removing the mobile; two re-sent invitations).
   */
  findForUpdate(scope: { workspaceId: string; poolId: string }, id: string, tx: EntityManager): Promise<User | null> {
    return tx.getRepository(User).findOne({ where: { ...scope, id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Existing users that share an externalId, email or mobile with a migration batch.
   *
   * One index lookup per key (LATERAL ... LIMIT 1 on the unique (pool_id, key) indexes),
   * on purpose: written as `pool_id = $1 AND (external_id = ANY(..) OR lower(email) =
   * ANY(..) ..)`, the planner read the whole pool for every batch whenever users had no
   * statistics or stale ones (a new database, a big first migration before autovacuum's
   * ANALYZE, a new pool): 0.5 s a batch at 1M users, quadratic over a migration. A lookup
   * per key on its unique index is the one plan it takes (keep other columns out of
   * the inner WHERE: `AND workspace_id = $2` there let it pick users (workspace_id, id)
   * and filter, the same scan again). The pool fixes the workspace; it is checked on the
   * result. UNION drops a user found twice.
   */
  async findImportMatches(tx: EntityManager, scope: { workspaceId: string; poolId: string }, keys: { externalIds: string[]; emails: string[]; mobiles: string[] }): Promise<ImportMatch[]> {
    const lookup = (param: string, condition: string) =>
      `SELECT u.* FROM unnest(${param}::text[]) AS k(v) CROSS JOIN LATERAL (
         SELECT id, workspace_id, pool_id, email, mobile, given_name, family_name, name, external_id, attributes, email_verified, status
           FROM users WHERE pool_id = $1 AND ${condition} = k.v LIMIT 1) u`;
    return tx.query(
      `SELECT m.id, m.workspace_id AS "workspaceId", m.pool_id AS "poolId", m.email, m.mobile, m.given_name AS "givenName",
              m.family_name AS "familyName", m.name, m.external_id AS "externalId", m.attributes, m.email_verified AS "emailVerified",
              m.status, EXISTS (SELECT 1 FROM credentials c WHERE c.user_id = m.id) AS "hasPassword"
         FROM (${lookup('$3', 'external_id')} UNION ${lookup('$4', 'lower(email)')} UNION ${lookup('$5', 'mobile')}) m
        WHERE m.workspace_id = $2`,
      [scope.poolId, scope.workspaceId, keys.externalIds, keys.emails, keys.mobiles],
    );
  }

  /**
   * Refreshes the planner's statistics on users. A big migration changes the table faster
   * than autovacuum looks (once a minute, then only past 10 % of it), and the plans of its
   * own statements (this batch's lookups, the foreign-key checks of memberships) are only
   * as good as those statistics: a pool they do not know yet looks like a handful of rows.
   */
  async analyze(): Promise<void> {
    await this.users.query(`ANALYZE users`);
  }

  /** One statement for the whole batch (unnest keeps the parameter count constant). */
  async insertMany(tx: EntityManager, rows: ImportRow[]): Promise<void> {
    if (!rows.length) return;
    await tx.query(
      `INSERT INTO users (id, workspace_id, pool_id, email, mobile, given_name, family_name, name, external_id, attributes, email_verified, status)
       SELECT id, workspace_id, pool_id, email, mobile, given_name, family_name, name, external_id, attributes::jsonb, email_verified, status
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[])
           AS v(id, workspace_id, pool_id, email, mobile, given_name, family_name, name, external_id, attributes, email_verified, status)`,
      importColumns(rows),
    );
  }

  /**
   * One statement for the whole batch. The users in `sessions.endSessionsOf` get
   * sessions_valid_after = `sessions.at`, as UserChanges.sessionsValidAfter does for one user:
   * tokens issued before then stop counting.
   */
  async updateMany(
    tx: EntityManager,
    scope: { workspaceId: string; poolId: string },
    rows: ImportRow[],
    sessions: { endSessionsOf: string[]; at: Date },
  ): Promise<void> {
    if (!rows.length) return;
    await tx.query(
      `UPDATE users u SET email = v.email, mobile = v.mobile, given_name = v.given_name, family_name = v.family_name, name = v.name,
              external_id = v.external_id, attributes = v.attributes::jsonb, email_verified = v.email_verified, status = v.status, updated_at = now(),
              sessions_valid_after = CASE WHEN v.id = ANY($15::uuid[]) THEN $16::timestamptz ELSE u.sessions_valid_after END
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[])
           AS v(id, workspace_id, pool_id, email, mobile, given_name, family_name, name, external_id, attributes, email_verified, status)
        WHERE u.id = v.id AND u.pool_id = $13 AND u.workspace_id = $14`,
      [...importColumns(rows), scope.poolId, scope.workspaceId, sessions.endSessionsOf, sessions.at],
    );
  }

  async setPasswords(tx: EntityManager, credentials: { userId: string; passwordHash: string }[]): Promise<void> {
    if (!credentials.length) return;
    await tx.query(
      `INSERT INTO credentials (user_id, password_hash) SELECT * FROM unnest($1::uuid[], $2::text[])
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
      [credentials.map((c) => c.userId), credentials.map((c) => c.passwordHash)],
    );
  }

  /** Unscoped on purpose: for links whose token already names the user. */
  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async findIdByEmail(scope: { workspaceId: string; poolId: string }, email: string): Promise<{ id: string; status: UserStatus; email: string } | null> {
    return this.users
      .createQueryBuilder('u')
      .select(['u.id', 'u.status', 'u.email'])
      .where('u.pool_id = :poolId AND u.workspace_id = :workspaceId AND lower(u.email) = lower(:email)', { ...scope, email })
      .getOne() as Promise<{ id: string; status: UserStatus; email: string } | null>;
  }

  /** The ids among `ids` that name users of this workspace. */
  async existingIds(workspaceId: string, ids: string[]): Promise<Set<string>> {
    const rows = await this.users.find({ select: { id: true }, where: { workspaceId, id: In(ids) } });
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Every unique key of the pool that these values collide on, the user `except` left out:
   * PostgreSQL reports only the first it hits, and a 409 should name each field to change.
   */
  async takenKeys(scope: { poolId: string }, values: { email: string | null; mobile: string | null; externalId: string | null }, except: string | null): Promise<string[]> {
    const [row]: { email: boolean; mobile: boolean; external: boolean }[] = await this.users.query(
      `SELECT coalesce(bool_or(lower(email) = lower($3)), false) AS email, coalesce(bool_or(mobile = $4), false) AS mobile,
              coalesce(bool_or(external_id = $5), false) AS external
         FROM users WHERE pool_id = $1 AND id IS DISTINCT FROM $2::uuid AND (lower(email) = lower($3) OR mobile = $4 OR external_id = $5)`,
      [scope.poolId, except, values.email, values.mobile, values.externalId],
    );
    return [row.email && 'users_email_key', row.mobile && 'users_mobile_key', row.external && 'users_external_id_key'].filter((key): key is string => Boolean(key));
  }

  async update(tx: EntityManager, scope: { workspaceId: string; poolId: string }, id: string, changes: UserChanges): Promise<void> {
    if (!Object.keys(changes).length) return;
    await tx.getRepository(User).update({ ...scope, id }, changes as QueryDeepPartialEntity<User>).catch(rethrowConstraint);
  }

  async delete(scope: { workspaceId: string; poolId: string }, id: string, tx?: EntityManager): Promise<boolean> {
    const { affected } = await (tx?.getRepository(User) ?? this.users).delete({ ...scope, id });
    return !!affected;
  }

  async hasPassword(userId: string, tx?: EntityManager): Promise<boolean> {
    return (tx ?? this.users.manager).getRepository(Credential).existsBy({ userId });
  }

  async setPassword(tx: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await tx.getRepository(Credential).upsert({ userId, passwordHash }, ['userId']);
  }

  /** The user an identifier names in the first of `poolIds` (in that order) that has it (SIGN_IN_LOOKUP). */
  async findForSignIn(workspaceId: string, poolIds: string[], identifier: string): Promise<SignInCandidate | null> {
    // Prepared statements here and below: every sign-in runs them.
    const rows = await preparedQuery<SignInCandidate>(this.users.manager.connection, SIGN_IN_LOOKUP[identifier.includes('@') ? 'email' : 'mobile'], [workspaceId, poolIds, identifier]);
    return rows[0] ?? null;
  }

  /** Counts a failure; the attempt that reaches `maxAttempts` locks the account and restarts the count. */
  async recordFailedSignIn(userId: string, lockout: { maxFailedAttempts: number; durationSeconds: number }): Promise<void> {
    await preparedQuery(
      this.users.manager.connection,
      `UPDATE users SET
         locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END,
         failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END
       WHERE id = $1`,
      [userId, lockout.maxFailedAttempts, lockout.durationSeconds],
    );
  }

  /**
   * Everything issued to the user before now stops counting (tokenAccount). Not a change of
   * the user, so `updated_at` stays; the database's clock, which every replica shares.
   */
  async endSessions(tx: EntityManager, scope: { workspaceId: string; poolId: string }, userId: string): Promise<void> {
    await tx.query(`UPDATE users SET sessions_valid_after = now() WHERE workspace_id = $1 AND pool_id = $2 AND id = $3`, [scope.workspaceId, scope.poolId, userId]);
  }

  /**
   * An admin's unlock: the lock and the failures counted toward the next one go. Sign-in
   * bookkeeping, so `updated_at` stays (written here, not through the entity, which would move it).
   */
  async clearSignInFailures(tx: EntityManager, scope: { workspaceId: string; poolId: string }, userId: string): Promise<void> {
    await tx.query(`UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE workspace_id = $1 AND pool_id = $2 AND id = $3`, [scope.workspaceId, scope.poolId, userId]);
  }

  /**
   * Records a sign-in whose password matched, unless the user was locked or left active
   * while the password was checked (concurrent wrong guesses lock it meanwhile): then false.
   */
  async recordSignIn(userId: string): Promise<boolean> {
    const rows = await preparedQuery(
      this.users.manager.connection,
      `UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = now()
        WHERE id = $1 AND status = 'active' AND (locked_until IS NULL OR locked_until <= now()) RETURNING 1`,
      [userId],
    );
    return rows.length > 0;
  }

  /** Swaps the hash only if it is still the one verified, so two concurrent upgrades cannot clobber a new password. */
  async replacePasswordHash(userId: string, expected: string, replacement: string): Promise<boolean> {
    const result = await this.users.manager
      .getRepository(Credential)
      .update({ userId, passwordHash: expected }, { passwordHash: replacement });
    return !!result.affected;
  }
}

export interface SignInCandidate {
  id: string;
  poolId: string;
  status: UserStatus;
  lockedUntil: Date | null;
  passwordHash: string | null;
}

/** A user as a migration batch writes it. */
export interface ImportRow {
  id: string;
  workspaceId: string;
  poolId: string;
  email: string | null;
  mobile: string | null;
  givenName: string | null;
  familyName: string | null;
  name: string | null;
  externalId: string | null;
  attributes: Record<string, unknown>;
  emailVerified: boolean;
  status: UserStatus;
}

/** An existing user a batch may match or collide with. */
export interface ImportMatch extends ImportRow {
  hasPassword: boolean;
}

function importColumns(rows: ImportRow[]): unknown[] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.workspaceId),
    rows.map((r) => r.poolId),
    rows.map((r) => r.email),
    rows.map((r) => r.mobile),
    rows.map((r) => r.givenName),
    rows.map((r) => r.familyName),
    rows.map((r) => r.name),
    rows.map((r) => r.externalId),
    rows.map((r) => JSON.stringify(r.attributes)),
    rows.map((r) => r.emailVerified),
    rows.map((r) => r.status),
  ];
}
