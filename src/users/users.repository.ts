import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { uniqueViolation } from '../platform/database/pg-errors';
import { Page, PageQuery, paginate } from '../platform/pagination/page';
import { Credential } from './credential.entity';
import { User, UserStatus } from './user.entity';
import { UserFieldTakenError } from './users.errors';

export type NewUser = Omit<User, 'id' | 'workspaceId' | 'poolId' | 'createdAt' | 'updatedAt' | 'failedSignIns' | 'lockedUntil' | 'lastSignInAt'>;
export type UserChanges = Partial<Pick<User, 'email' | 'mobile' | 'givenName' | 'familyName' | 'name' | 'attributes' | 'status' | 'emailVerified' | 'failedSignIns' | 'lockedUntil'>>;

export interface UserFilter extends PageQuery {
  search?: string;
  status?: UserStatus;
  groupId?: string;
}

/** Duplicates surface as unique-index violations, so concurrent creates cannot both win. */
function rethrowTaken(error: unknown): never {
  const constraint = uniqueViolation(error);
  if (constraint && UserFieldTakenError.constraints.includes(constraint)) throw new UserFieldTakenError(constraint);
  throw error;
}

function likePrefix(search: string): string {
  return `${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async insert(tx: EntityManager, scope: { workspaceId: string; poolId: string }, fields: NewUser): Promise<User> {
    const repo = tx.getRepository(User);
    return repo.save(repo.create({ ...scope, ...fields })).catch(rethrowTaken);
  }

  list(scope: { workspaceId: string; poolId: string }, filter: UserFilter): Promise<Page<User>> {
    const qb = this.users
      .createQueryBuilder('u')
      .where('u.pool_id = :poolId AND u.workspace_id = :workspaceId', scope);
    if (filter.status) qb.andWhere('u.status = :status', { status: filter.status });
    if (filter.search) {
      // Each branch matches one prefix index (users_search_*_idx); mobile is compared as typed.
      qb.andWhere(
        `(lower(u.email) LIKE :prefix OR u.mobile LIKE :mobilePrefix OR lower(u.given_name) LIKE :prefix
          OR lower(u.family_name) LIKE :prefix OR lower(u.name) LIKE :prefix)`,
        { prefix: likePrefix(filter.search), mobilePrefix: likePrefix(filter.search) },
      );
    }
    if (filter.groupId) {
      qb.andWhere('EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = :groupId AND gm.user_id = u.id)', { groupId: filter.groupId });
    }
    return paginate(qb, filter);
  }

  /** Members of a group, from any pool of the workspace. */
  listGroupMembers(workspaceId: string, groupId: string, query: PageQuery): Promise<Page<User>> {
    const qb = this.users
      .createQueryBuilder('u')
      .where('u.workspace_id = :workspaceId', { workspaceId })
      .andWhere('EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = :groupId AND gm.user_id = u.id)', { groupId });
    return paginate(qb, query);
  }

  find(scope: { workspaceId: string; poolId: string }, id: string, tx?: EntityManager): Promise<User | null> {
    return (tx?.getRepository(User) ?? this.users).findOneBy({ ...scope, id });
  }

  /** The ids among `ids` that name users of this workspace. */
  async existingIds(workspaceId: string, ids: string[]): Promise<Set<string>> {
    const rows = await this.users.find({ select: { id: true }, where: { workspaceId, id: In(ids) } });
    return new Set(rows.map((row) => row.id));
  }

  async update(tx: EntityManager, scope: { workspaceId: string; poolId: string }, id: string, changes: UserChanges): Promise<void> {
    if (!Object.keys(changes).length) return;
    await tx.getRepository(User).update({ ...scope, id }, changes as QueryDeepPartialEntity<User>).catch(rethrowTaken);
  }

  async delete(scope: { workspaceId: string; poolId: string }, id: string): Promise<boolean> {
    const { affected } = await this.users.delete({ ...scope, id });
    return !!affected;
  }

  async hasPassword(userId: string, tx?: EntityManager): Promise<boolean> {
    return (tx ?? this.users.manager).getRepository(Credential).existsBy({ userId });
  }

  async setPassword(tx: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await tx.getRepository(Credential).upsert({ userId, passwordHash }, ['userId']);
  }
}
