import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../platform/pagination/page';
import { EntityRows } from '../platform/database/entity-rows';
import { uniqueViolation } from '../platform/database/pg-errors';
import { preparedQuery } from '../platform/database/prepared';
import { rethrowWorkspaceGone } from '../workspaces/workspaces.errors';
import { Pool } from './pool.entity';
import { PoolNameTakenError } from './pools.errors';

type PoolFields = Omit<Pool, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>;

/** A duplicate name surfaces as the unique index pools_name_key, so concurrent creates cannot both win. */
function rethrowNameTaken(error: unknown): never {
  if (uniqueViolation(error) === 'pools_name_key') throw new PoolNameTakenError();
  throw error;
}

@Injectable()
export class PoolsRepository {
  private readonly poolRows: EntityRows<Pool>;

  constructor(@InjectRepository(Pool) private readonly pools: Repository<Pool>) {
    this.poolRows = new EntityRows(pools, 'p');
  }

  create(workspaceId: string, fields: PoolFields): Promise<Pool> {
    return this.pools.save(this.pools.create({ workspaceId, ...fields })).catch(rethrowNameTaken).catch(rethrowWorkspaceGone);
  }

  list(workspaceId: string, query: PageQuery): Promise<Page<Pool>> {
    return paginate(this.pools.createQueryBuilder('p').where('p.workspace_id = :workspaceId', { workspaceId }), query);
  }

  findById(id: string): Promise<Pool | null> {
    return this.pools.findOneBy({ id });
  }

  /** A prepared statement: nearly every management request asks first (EntityRows). */
  async find(workspaceId: string, id: string): Promise<Pool | null> {
    const rows = await preparedQuery<Pool>(this.pools.manager.connection, `SELECT ${this.poolRows.columns} FROM pools p WHERE p.id = $1 AND p.workspace_id = $2`, [id, workspaceId]);
    return rows.length ? this.poolRows.hydrate(rows[0]) : null;
  }

  /** Reads a pool in order to change it: locked until `tx` ends, so concurrent changes apply one after another. */
  findForUpdate(tx: EntityManager, workspaceId: string, id: string): Promise<Pool | null> {
    return tx.getRepository(Pool).findOne({ where: { workspaceId, id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(tx: EntityManager, workspaceId: string, id: string, fields: Partial<PoolFields>): Promise<void> {
    if (!Object.keys(fields).length) return;
    await tx.getRepository(Pool).update({ workspaceId, id }, fields).catch(rethrowNameTaken);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.pools.delete({ workspaceId, id });
    return !!affected;
  }
}
