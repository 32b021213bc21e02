import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { mapPage, Page, PageQuery } from '../platform/pagination/page';
import { pgLower } from '../platform/text/pg-lower';
import { UserResponse } from '../users/dto/user.response';
import { UsersService } from '../users/users.service';
import { changedFields } from '../platform/database/changed-fields';
import { validatePlainWith } from '../platform/http/validate-plain';
import { AddMembersDto, isUserId, MAX_MEMBERS_PER_REQUEST } from './dto/add-members.dto';
import { AddMembersResponse, GroupResponse } from './dto/group.response';
import { CreateGroupDto } from './dto/create-group.dto';
import { UpdateGroupDto } from './dto/update-group.dto';
import { Group } from './group.entity';
import { GroupNotFoundError, MemberNotFoundError, UnknownMember, unknownMemberFields, UnknownMembersError } from './groups.errors';
import { GroupsRepository, MemberVanishedError } from './groups.repository';

@Injectable()
export class GroupsService implements OnModuleInit {
  constructor(
    private readonly repository: GroupsRepository,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.users.whenFilteringByGroup((workspaceId, groupId) => this.require(workspaceId, groupId));
  }

  async create(workspaceId: string, dto: CreateGroupDto): Promise<GroupResponse> {
    return toGroupResponse(await this.repository.create(workspaceId, { name: dto.name, description: dto.description ?? null }));
  }

  async list(workspaceId: string, query: PageQuery): Promise<Page<GroupResponse>> {
    return mapPage(await this.repository.list(workspaceId, query), toGroupResponse);
  }

  async get(workspaceId: string, groupId: string): Promise<GroupResponse> {
    return toGroupResponse(await this.require(workspaceId, groupId));
  }

  async update(workspaceId: string, groupId: string, dto: UpdateGroupDto): Promise<GroupResponse> {
    const group = await this.require(workspaceId, groupId);
    await this.repository.update(workspaceId, groupId, changedFields(group, {
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.description !== undefined && { description: dto.description }),
    }));
    return this.get(workspaceId, groupId);
  }

  async delete(workspaceId: string, groupId: string): Promise<void> {
    if (!(await this.repository.delete(workspaceId, groupId))) throw new GroupNotFoundError();
  }

  /**
   * All or nothing: one bad id (malformed, unknown, or another workspace's user) and nobody is
   * added. `body` as sent: when its rules refuse it, its well-formed ids are looked up too, so
   * one 400 names every bad entry, not the malformed ones first and the unknown ones next time.
   */
  async addMembers(workspaceId: string, groupId: string, body: unknown): Promise<AddMembersResponse> {
    await this.require(workspaceId, groupId);
    const { userIds } = await validatePlainWith(
      AddMembersDto,
      body,
      async (sent, reported) => (reported.length ? unknownMemberFields(await this.unknownMembers(workspaceId, sent.userIds)) : []),
      { forbidUnknown: true },
    );
    const unique = [...new Set(userIds.map((id) => id.toLowerCase()))];
    for (let attempt = 0; ; attempt++) {
      const unknown = await this.unknownMembers(workspaceId, userIds);
      if (unknown.length) throw new UnknownMembersError(unknown);
      try {
        const added = await this.repository.addMembers(workspaceId, groupId, unique);
        return { added, alreadyMembers: unique.length - added };
      } catch (error) {
        // A user was deleted after the check: check again so the answer names it.
        if (!(error instanceof MemberVanishedError) || attempt > 0) throw error;
      }
    }
  }

  /** The well-formed entries of `userIds` naming no user of the workspace; a list too long to add is not looked up. */
  private async unknownMembers(workspaceId: string, userIds: unknown): Promise<UnknownMember[]> {
    if (!Array.isArray(userIds) || userIds.length > MAX_MEMBERS_PER_REQUEST) return [];
    const wellFormed = userIds.map((id: unknown, index) => ({ index, id })).filter((entry): entry is UnknownMember => isUserId(entry.id));
    if (!wellFormed.length) return [];
    const known = await this.users.existingIds(workspaceId, [...new Set(wellFormed.map(({ id }) => id.toLowerCase()))]);
    return wellFormed.filter(({ id }) => !known.has(id.toLowerCase()));
  }

  async listMembers(workspaceId: string, groupId: string, query: PageQuery): Promise<Page<UserResponse>> {
    await this.require(workspaceId, groupId);
    return this.users.listGroupMembers(workspaceId, groupId, query);
  }

  async removeMember(workspaceId: string, groupId: string, userId: string): Promise<void> {
    await this.require(workspaceId, groupId);
    if (!(await this.repository.removeMember(workspaceId, groupId, userId))) throw new MemberNotFoundError();
  }

  async listForUser(scope: { workspaceId: string; poolId: string }, userId: string, query: PageQuery): Promise<Page<GroupResponse>> {
    await this.users.assertExists(scope, userId);
    return mapPage(await this.repository.listForUser(scope.workspaceId, userId, query), toGroupResponse);
  }

  /**
   * Bulk migration: puts users in groups named in their records, creating missing groups
   * (case-insensitively), inside the caller's transaction.
   */
  async assignByNames(tx: EntityManager, workspaceId: string, assignments: { userId: string; groups: string[] }[]): Promise<void> {
    const names = [...new Map(assignments.flatMap((a) => a.groups).map((n) => [pgLower(n), n])).values()];
    const ids = await this.repository.ensureNamed(tx, workspaceId, names);
    const memberships = assignments.flatMap((a) => a.groups.map((name) => ({ groupId: ids.get(pgLower(name))!, userId: a.userId })));
    await this.repository.addMembershipsBulk(tx, workspaceId, memberships);
  }

  /** The `groups` claim: names of the user's groups, sorted. */
  namesForUser(workspaceId: string, userId: string): Promise<string[]> {
    return this.repository.namesForUser(workspaceId, userId);
  }

  private async require(workspaceId: string, groupId: string): Promise<Group> {
    const group = await this.repository.find(workspaceId, groupId);
    if (!group) throw new GroupNotFoundError();
    return group;
  }
}

function toGroupResponse(g: Group): GroupResponse {
  return {
    id: g.id,
    workspaceId: g.workspaceId,
    name: g.name,
    description: g.description,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}
