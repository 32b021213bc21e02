import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { foreignKeyViolation, uniqueViolation } from '../../platform/database/pg-errors';
import { preparedQuery } from '../../platform/database/prepared';
import { Page, PageQuery, paginate } from '../../platform/pagination/page';
import { IdentityProvider } from './identity-provider.entity';
import { PoolAlreadyConnectedError, PoolNotInWorkspaceError } from './identity-providers.errors';

type ProviderFields = Pick<IdentityProvider, 'type' | 'poolId' | 'signInMethods' | 'enabled' | 'priority'>;

@Injectable()
export class IdentityProvidersRepository {
  constructor(@InjectRepository(IdentityProvider) private readonly providers: Repository<IdentityProvider>) {}

  /** The only foreign key is the pool's: violated, the pool was deleted after the service found it, as if it never was. */
  create(workspaceId: string, fields: ProviderFields): Promise<IdentityProvider> {
    return this.providers.save(this.providers.create({ workspaceId, ...fields })).catch((error) => {
      if (uniqueViolation(error) === 'identity_providers_pool_key') throw new PoolAlreadyConnectedError();
      if (foreignKeyViolation(error) !== null) throw new PoolNotInWorkspaceError(fields.poolId);
      throw error;
    });
  }

  list(workspaceId: string, query: PageQuery): Promise<Page<IdentityProvider>> {
    return paginate(this.providers.createQueryBuilder('p').where('p.workspace_id = :workspaceId', { workspaceId }), query);
  }

  find(workspaceId: string, id: string): Promise<IdentityProvider | null> {
    return this.providers.findOneBy({ workspaceId, id });
  }

  async update(workspaceId: string, id: string, fields: Partial<ProviderFields>): Promise<void> {
    if (Object.keys(fields).length) await this.providers.update({ workspaceId, id }, fields);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.providers.delete({ workspaceId, id });
    return !!affected;
  }

  /**
   * The pools of the enabled connections offering `method`, in the order sign-in tries
   * them. A prepared statement: every sign-in asks, and the query builder would cost more than the query.
   */
  async poolsEnabledFor(workspaceId: string, method: string): Promise<string[]> {
    const rows = await preparedQuery<{ pool_id: string }>(
      this.providers.manager.connection,
      `SELECT pool_id FROM identity_providers WHERE workspace_id = $1 AND enabled AND $2 = ANY(sign_in_methods) ORDER BY priority, created_at`,
      [workspaceId, method],
    );
    return rows.map((row) => row.pool_id);
  }
}
