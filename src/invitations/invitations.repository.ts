import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Invitation } from './invitation.entity';

@Injectable()
export class InvitationsRepository {
  constructor(@InjectRepository(Invitation) private readonly invitations: Repository<Invitation>) {}

  insert(tx: EntityManager, fields: Pick<Invitation, 'userId' | 'email' | 'expiresAt'>): Promise<Invitation> {
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
    await tx
      .getRepository(Invitation)
      .createQueryBuilder()
      .update()
      .set({ status: 'revoked' })
      .where({ userId, status: In(['queued', 'sent', 'failed']) })
      .execute();
  }
}
