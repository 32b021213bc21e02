import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Invitation, InvitationRowStatus } from './invitation.entity';

const OPEN: InvitationRowStatus[] = ['queued', 'sent', 'failed'];

@Injectable()
export class InvitationsRepository {
  constructor(@InjectRepository(Invitation) private readonly invitations: Repository<Invitation>) {}

  insert(tx: EntityManager, fields: Pick<Invitation, 'userId' | 'poolId' | 'workspaceId' | 'email' | 'expiresAt'>): Promise<Invitation> {
    const repo = tx.getRepository(Invitation);
    return repo.save(repo.create({ ...fields, status: 'queued' }));
  }

  /** The newest invitation that is not revoked, per user. */
  async latestFor(userIds: string[]): Promise<Invitation[]> {
    if (!userIds.length) return [];
    return this.invitations
      .createQueryBuilder('i')
      .distinctOn(['i.user_id'])
      .where({ userId: In(userIds) })
      .andWhere(`i.status <> 'revoked'`)
      .orderBy('i.user_id')
      .addOrderBy('i.created_at', 'DESC')
      .getMany();
  }

  async revokeOpen(tx: EntityManager, userId: string): Promise<void> {
    await tx.getRepository(Invitation).update({ userId, status: In(OPEN) }, { status: 'revoked' });
  }

  find(id: string): Promise<Invitation | null> {
    return this.invitations.findOneBy({ id });
  }

  findByTokenHash(tokenHash: Buffer): Promise<Invitation | null> {
    return this.invitations.findOneBy({ tokenHash });
  }

  /** Stores the hash of the token the email is about to carry, if the invitation is still open. */
  async setTokenHash(id: string, tokenHash: Buffer): Promise<boolean> {
    const { affected } = await this.invitations.update({ id, status: In(OPEN) }, { tokenHash });
    return !!affected;
  }

  async markSent(id: string): Promise<void> {
    await this.invitations.update({ id, status: In(['queued', 'failed']) }, { status: 'sent', sentAt: () => 'now()' });
  }

  async markFailed(id: string): Promise<void> {
    await this.invitations.update({ id, status: 'queued' }, { status: 'failed' });
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
