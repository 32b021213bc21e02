import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { uniqueViolation } from '../../platform/database/pg-errors';
import { Page, PageQuery, paginate } from '../../platform/pagination/page';
import { IdentityProvider } from './identity-provider.entity';
import { PoolAlreadyConnectedError } from './identity-providers.errors';

type ProviderFields = Pick<IdentityProvider, 'type' | 'poolId' | 'signInMethods' | 'enabled' | 'priority'>;

@Injectable()
export class IdentityProvidersRepository {
  constructor(@InjectRepository(IdentityProvider) private readonly providers: Repository<IdentityProvider>) {}

  create(workspaceId: string, fields: ProviderFields): Promise<IdentityProvider> {
    return this.providers.save(this.providers.create({ workspaceId, ...fields })).catch((error) => {
      if (uniqueViolation(error) === 'identity_providers_pool_key') throw new PoolAlreadyConnectedError();
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

  /** Enabled connections offering `method`, in the order sign-in tries them. */
  enabledFor(workspaceId: string, method: string): Promise<IdentityProvider[]> {
    return this.providers
      .createQueryBuilder('p')
      .where('p.workspace_id = :workspaceId AND p.enabled AND :method = ANY(p.sign_in_methods)', { workspaceId, method })
      .orderBy('p.priority', 'ASC')
      .addOrderBy('p.created_at', 'ASC')
      .getMany();
  }
}
