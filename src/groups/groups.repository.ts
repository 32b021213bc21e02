import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { foreignKeyViolation, uniqueViolation } from '../platform/database/pg-errors';
import { Page, PageQuery, paginate } from '../platform/pagination/page';
import { pgLower } from '../platform/text/pg-lower';
import { rethrowWorkspaceGone } from '../workspaces/workspaces.errors';
import { GroupMember } from './group-member.entity';
import { Group } from './group.entity';
import { GroupNameTakenError, GroupNotFoundError } from './groups.errors';

type GroupFields = Pick<Group, 'name' | 'description'>;

function rethrowNameTaken(error: unknown): never {
  if (uniqueViolation(error) === 'groups_name_key') throw new GroupNameTakenError();
  // A group's only foreign key is its workspace: violated on insert, the workspace was
  // deleted after the guard saw it, which is a 404 like any unknown workspace, not a 500.
  return rethrowWorkspaceGone(error);
}

/** A user deleted between the existence check and the insert; the caller re-checks. */
export class MemberVanishedError extends Error {}

@Injectable()
export class GroupsRepository {
  constructor(
    @InjectRepository(Group) private readonly groups: Repository<Group>,
    @InjectRepository(GroupMember) private readonly members: Repository<GroupMember>,
  ) {}

  create(workspaceId: string, fields: GroupFields): Promise<Group> {
    return this.groups.save(this.groups.create({ workspaceId, ...fields })).catch(rethrowNameTaken);
  }

  list(workspaceId: string, query: PageQuery): Promise<Page<Group>> {
    return paginate(this.groups.createQueryBuilder('g').where('g.workspace_id = :workspaceId', { workspaceId }), query);
  }

  listForUser(workspaceId: string, userId: string, query: PageQuery): Promise<Page<Group>> {
    const qb = this.groups
      .createQueryBuilder('g')
      .innerJoin(GroupMember, 'm', 'm.group_id = g.id AND m.user_id = :userId', { userId })
      .where('g.workspace_id = :workspaceId', { workspaceId });
    return paginate(qb, query);
  }

  async namesForUser(workspaceId: string, userId: string): Promise<string[]> {
    const rows = await this.groups
      .createQueryBuilder('g')
      .select('g.name', 'name')
      .innerJoin(GroupMember, 'm', 'm.group_id = g.id AND m.user_id = :userId', { userId })
      .where('g.workspace_id = :workspaceId', { workspaceId })
      .orderBy('g.name')
      .getRawMany<{ name: string }>();
    return rows.map((row) => row.name);
  }

  find(workspaceId: string, id: string): Promise<Group | null> {
    return this.groups.findOneBy({ workspaceId, id });
  }

  async update(workspaceId: string, id: string, fields: Partial<GroupFields>): Promise<void> {
    if (Object.keys(fields).length) await this.groups.update({ workspaceId, id }, fields).catch(rethrowNameTaken);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.groups.delete({ workspaceId, id });
    return !!affected;
  }

  /**
   * Adds the users in one statement, so either all rows go in or none; existing
   * memberships are left as they are. Returns how many were new.
   */
  async addMembers(workspaceId: string, groupId: string, userIds: string[]): Promise<number> {
    try {
      const result = await this.members
        .createQueryBuilder()
        .insert()
        // In one order, so two requests adding overlapping members cannot deadlock on each other's rows.
        .values([...userIds].sort().map((userId) => ({ workspaceId, groupId, userId })))
        .orIgnore()
        .returning(['user_id'])
        .execute();
      return result.raw.length;
    } catch (error) {
      const foreignKey = foreignKeyViolation(error);
      // The group itself deleted meanwhile is a 404, like a group that was never there.
      if (foreignKey === 'group_members_group_id_workspace_id_fkey') throw new GroupNotFoundError();
      if (foreignKey !== null) throw new MemberVanishedError();
      throw error;
    }
  }

  /** Creates the groups that do not exist yet (names compare case-insensitively) and returns every id by its name as lower() folds it (pgLower). */
  async ensureNamed(tx: EntityManager, workspaceId: string, names: string[]): Promise<Map<string, string>> {
    if (!names.length) return new Map();
    // In the order of the unique index's keys (as addMembers does), so two imports naming
    // the same new groups in different orders or cases cannot deadlock on each other's entries.
    const ordered = names.map((name) => ({ name, key: pgLower(name) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await tx.query(
      `INSERT INTO groups (workspace_id, name) SELECT $1, n FROM unnest($2::text[]) AS n ON CONFLICT DO NOTHING`,
      [workspaceId, ordered.map(({ name }) => name)],
    );
    const rows: { id: string; key: string }[] = await tx.query(
      `SELECT id, lower(name) AS key FROM groups WHERE workspace_id = $1 AND lower(name) = ANY($2::text[])`,
      [workspaceId, names.map(pgLower)],
    );
    return new Map(rows.map((row) => [row.key, row.id]));
  }

  async addMembershipsBulk(tx: EntityManager, workspaceId: string, memberships: { groupId: string; userId: string }[]): Promise<void> {
    if (!memberships.length) return;
    // In one order, for the same reason as ensureNamed.
    const key = (m: { groupId: string; userId: string }) => m.groupId + m.userId;
    const sorted = [...memberships].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    await tx.query(
      `INSERT INTO group_members (workspace_id, group_id, user_id)
       SELECT $1, g, u FROM unnest($2::uuid[], $3::uuid[]) AS m(g, u) ON CONFLICT DO NOTHING`,
      [workspaceId, sorted.map((m) => m.groupId), sorted.map((m) => m.userId)],
    );
  }

  async removeMember(workspaceId: string, groupId: string, userId: string): Promise<boolean> {
    const { affected } = await this.members.delete({ workspaceId, groupId, userId });
    return !!affected;
  }
}
