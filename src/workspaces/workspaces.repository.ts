import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { preparedQuery } from '../platform/database/prepared';
import { Page, PageQuery, paginate } from '../platform/pagination/page';
import { ApiKey } from './api-key.entity';
import { changedFields } from '../platform/database/changed-fields';
import { Workspace } from './workspace.entity';
import { rethrowWorkspaceGone } from './workspaces.errors';

@Injectable()
export class WorkspacesRepository {
  constructor(
    @InjectRepository(Workspace) private readonly workspaces: Repository<Workspace>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
  ) {}

  create(fields: Pick<Workspace, 'name' | 'description'>): Promise<Workspace> {
    return this.workspaces.save(this.workspaces.create(fields));
  }

  /** Lists every workspace, or only `onlyId` when a workspace key asks. */
  list(query: PageQuery, onlyId?: string): Promise<Page<Workspace>> {
    const qb = this.workspaces.createQueryBuilder('w');
    if (onlyId) qb.where('w.id = :onlyId', { onlyId });
    return paginate(qb, query);
  }

  find(id: string): Promise<Workspace | null> {
    return this.workspaces.findOneBy({ id });
  }

  /** A prepared statement: every issuer request asks, and the query builder would cost more than the query. */
  async exists(id: string): Promise<boolean> {
    return (await preparedQuery(this.workspaces.manager.connection, 'SELECT 1 FROM workspaces WHERE id = $1', [id])).length > 0;
  }

  async update(id: string, fields: Partial<Pick<Workspace, 'name' | 'description'>>): Promise<Workspace | null> {
    const workspace = await this.find(id);
    const changes = workspace ? changedFields(workspace, fields) : {};
    if (!Object.keys(changes).length) return workspace;
    await this.workspaces.update({ id }, changes);
    return this.find(id);
  }

  async delete(id: string): Promise<boolean> {
    const { affected } = await this.workspaces.delete({ id });
    return !!affected;
  }

  createKey(workspaceId: string, fields: Pick<ApiKey, 'name' | 'keyHash' | 'keyPrefix'>): Promise<ApiKey> {
    return this.keys.save(this.keys.create({ workspaceId, ...fields })).catch(rethrowWorkspaceGone);
  }

  listKeys(workspaceId: string, query: PageQuery): Promise<Page<ApiKey>> {
    return paginate(this.keys.createQueryBuilder('k').where('k.workspace_id = :workspaceId', { workspaceId }), query);
  }

  findKey(workspaceId: string, id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ workspaceId, id });
  }

  async deleteKey(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.keys.delete({ workspaceId, id });
    return !!affected;
  }

  /** A prepared statement: every request with a workspace key asks. */
  async findKeyByHash(keyHash: Buffer): Promise<Pick<ApiKey, 'id' | 'workspaceId' | 'lastUsedAt'> | null> {
    const rows = await preparedQuery<Pick<ApiKey, 'id' | 'workspaceId' | 'lastUsedAt'>>(
      this.workspaces.manager.connection,
      'SELECT id, workspace_id AS "workspaceId", last_used_at AS "lastUsedAt" FROM api_keys WHERE key_hash = $1',
      [keyHash],
    );
    return rows[0] ?? null;
  }

  async touchKey(id: string): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: () => 'now()' });
  }
}
