import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../../platform/pagination/page';
import { Application } from './application.entity';

type ApplicationFields = Omit<Application, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>;

@Injectable()
export class ApplicationsRepository {
  constructor(@InjectRepository(Application) private readonly applications: Repository<Application>) {}

  create(workspaceId: string, fields: ApplicationFields): Promise<Application> {
    return this.applications.save(this.applications.create({ workspaceId, ...fields }));
  }

  list(workspaceId: string, query: PageQuery): Promise<Page<Application>> {
    return paginate(this.applications.createQueryBuilder('a').where('a.workspace_id = :workspaceId', { workspaceId }), query);
  }

  find(workspaceId: string, id: string): Promise<Application | null> {
    return this.applications.findOneBy({ workspaceId, id });
  }

  /** With the secret's hash, for client authentication only. */
  findClient(workspaceId: string, clientId: string): Promise<Application | null> {
    return this.applications.findOne({
      where: { workspaceId, clientId },
      select: {
        id: true,
        name: true,
        clientId: true,
        clientSecretHash: true,
        redirectUris: true,
        postLogoutRedirectUris: true,
        grantTypes: true,
        tokenEndpointAuthMethod: true,
      },
    });
  }

  async update(workspaceId: string, id: string, fields: Partial<ApplicationFields>): Promise<void> {
    if (Object.keys(fields).length) await this.applications.update({ workspaceId, id }, fields);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.applications.delete({ workspaceId, id });
    return !!affected;
  }
}
