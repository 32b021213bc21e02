import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, MoreThan, Repository } from 'typeorm';
import { Batcher } from '../platform/database/batcher';
import { EntityRows } from '../platform/database/entity-rows';
import { preparedQuery } from '../platform/database/prepared';
import { Invitation, InvitationRowStatus } from './invitation.entity';

const OPEN: InvitationRowStatus[] = ['queued', 'sent', 'failed'];

/** An open invitation whose token hash was just stored, with what its email prints. */
export interface StampedInvitation {
  email: string;
  expiresAt: Date;
  poolName: string;
  workspaceName: string;
}

@Injectable()
export class InvitationsRepository {
  private readonly invitationRows: EntityRows<Invitation>;

  constructor(@InjectRepository(Invitation) private readonly invitations: Repository<Invitation>) {
    this.invitationRows = new EntityRows(invitations, 'i');
  }

  /** One statement for any number of invitations, at most one per user (raw SQL: the entity persister cost more than the INSERT). */
  async insert(tx: EntityManager, rows: Pick<Invitation, 'userId' | 'poolId' | 'workspaceId' | 'email' | 'expiresAt'>[]): Promise<Invitation[]> {
    if (!rows.length) return [];
    const inserted: Pick<Invitation, 'id' | 'userId' | 'createdAt'>[] = await tx.query(
      `INSERT INTO invitations (user_id, pool_id, workspace_id, email, expires_at, status)
       SELECT user_id, pool_id, workspace_id, email, expires_at, 'queued'
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[]) AS v(user_id, pool_id, workspace_id, email, expires_at)
       RETURNING id, user_id AS "userId", created_at AS "createdAt"`,
      [rows.map((r) => r.userId), rows.map((r) => r.poolId), rows.map((r) => r.workspaceId), rows.map((r) => r.email), rows.map((r) => r.expiresAt)],
    );
    const byUser = new Map(inserted.map((row) => [row.userId, row]));
    return rows.map((fields) => {
      const { id, createdAt } = byUser.get(fields.userId)!;
      return Object.assign(new Invitation(), fields, { id, createdAt, status: 'queued' as const, tokenHash: null, sentAt: null, acceptedAt: null });
    });
  }

  /** The newest invitation that is not revoked, per user. A prepared statement: every page of users asks. */
  async latestFor(userIds: string[]): Promise<Invitation[]> {
    if (!userIds.length) return [];
    const rows = await preparedQuery<Invitation>(
      this.invitations.manager.connection,
      `SELECT DISTINCT ON (i.user_id) ${this.invitationRows.columns} FROM invitations i
        WHERE i.user_id = ANY($1::uuid[]) AND i.status <> 'revoked' ORDER BY i.user_id, i.created_at DESC`,
      [userIds],
    );
    return rows.map((row) => this.invitationRows.hydrate(row));
  }

  async revokeOpen(tx: EntityManager, userIds: string[]): Promise<void> {
    await tx.getRepository(Invitation).update({ userId: In(userIds), status: In(OPEN) }, { status: 'revoked' });
  }

  /** Of these users, those holding an invitation whose link still works (queued or sent, unexpired). */
  async withLiveInvitation(tx: EntityManager, userIds: string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows: { user_id: string }[] = await tx.query(
      `SELECT DISTINCT user_id FROM invitations WHERE user_id = ANY($1::uuid[]) AND status IN ('queued', 'sent') AND expires_at > now()`,
      [userIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  /** Whether the user was invited again after `invitation`. */
  hasNewer(invitation: Pick<Invitation, 'userId' | 'createdAt'>): Promise<boolean> {
    return this.invitations.exists({ where: { userId: invitation.userId, createdAt: MoreThan(invitation.createdAt) } });
  }

  /** The invitation whose latest email, or the one sent before it, carried this token. */
  findByTokenHash(tokenHash: Buffer): Promise<Invitation | null> {
    return this.invitations.findOneBy([{ tokenHash }, { previousTokenHash: tokenHash }]);
  }

  /**
   * What the invitation email says, in one statement: stores the hash of the token it is
   * about to carry (the one before stays usable: a send retried after a crash may have
   * delivered it) if the invitation is still open and unexpired and its pool and workspace
   * exist, and returns the names to print; null otherwise (nothing stored). Concurrent calls
   * share one statement (Batcher).
   */
  stampToken(id: string, tokenHash: Buffer): Promise<StampedInvitation | null> {
    return this.stamps.load({ id, tokenHash });
  }

  private readonly stamps = new Batcher<{ id: string; tokenHash: Buffer }, StampedInvitation>(async (items) => {
    const [rows]: [(StampedInvitation & { id: string })[], number] = await this.invitations.query(
      `UPDATE invitations i SET previous_token_hash = i.token_hash, token_hash = decode(s.hash, 'hex')
         FROM unnest($1::uuid[], $2::text[]) AS s(id, hash), pools p, workspaces w
        WHERE i.id = s.id AND i.status IN ('queued', 'sent', 'failed') AND i.expires_at > now()
          AND p.id = i.pool_id AND p.workspace_id = i.workspace_id AND w.id = i.workspace_id
        RETURNING i.id, i.email, i.expires_at AS "expiresAt", p.name AS "poolName", w.name AS "workspaceName"`,
      [items.map((item) => item.id), items.map((item) => item.tokenHash.toString('hex'))],
    );
    return new Map(rows.map(({ id, ...stamped }) => [id, stamped]));
  }, (item) => item.id);

  /** Inside the transaction that records the emails as sent. */
  async markSent(tx: EntityManager, ids: string[]): Promise<void> {
    await tx.query(`UPDATE invitations SET status = 'sent', sent_at = now() WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'failed')`, [ids]);
  }

  async markFailed(tx: EntityManager, id: string): Promise<void> {
    await tx.getRepository(Invitation).update({ id, status: 'queued' }, { status: 'failed' });
  }

  /** Spends an open, unexpired invitation; false when someone else spent it first. */
  async accept(tx: EntityManager, id: string): Promise<boolean> {
    const result = await tx
      .getRepository(Invitation)
      .createQueryBuilder()
      .update()
      .set({ status: 'accepted', acceptedAt: () => 'now()' })
      .where({ id, status: In(OPEN) })
      .andWhere('expires_at > now()')
      .execute();
    return !!result.affected;
  }
}
