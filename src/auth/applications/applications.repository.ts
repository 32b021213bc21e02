import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { preparedQuery } from '../../platform/database/prepared';
import { Page, PageQuery, paginate } from '../../platform/pagination/page';
import { rethrowWorkspaceGone } from '../../workspaces/workspaces.errors';
import { Application } from './application.entity';

type ApplicationFields = Omit<Application, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>;
export type ClientRecord = Pick<Application, 'id' | 'name' | 'clientId' | 'clientSecretHash' | 'redirectUris' | 'postLogoutRedirectUris' | 'grantTypes' | 'tokenEndpointAuthMethod' | 'tokenSigningAlg'>;

@Injectable()
export class ApplicationsRepository {
  constructor(@InjectRepository(Application) private readonly applications: Repository<Application>) {}

  create(workspaceId: string, fields: ApplicationFields): Promise<Application> {
    return this.applications.save(this.applications.create({ workspaceId, ...fields })).catch(rethrowWorkspaceGone);
  }

  list(workspaceId: string, query: PageQuery): Promise<Page<Application>> {
    return paginate(this.applications.createQueryBuilder('a').where('a.workspace_id = :workspaceId', { workspaceId }), query);
  }

  /** Those of the workspace's applications with these client ids, in creation order. */
  listByClientIds(workspaceId: string, clientIds: string[], query: PageQuery): Promise<Page<Application>> {
    return paginate(this.applications.createQueryBuilder('a').where('a.workspace_id = :workspaceId', { workspaceId }).andWhere('a.client_id = ANY(:clientIds)', { clientIds }), query);
  }

  find(workspaceId: string, id: string): Promise<Application | null> {
    return this.applications.findOneBy({ workspaceId, id });
  }

  /**
   * With the secret's hash, for client authentication only. A prepared statement: the
   * issuer asks on every token request, and the query builder would cost more than the query.
   */
  async findClient(workspaceId: string, clientId: string): Promise<ClientRecord | null> {
    const rows = await preparedQuery<ClientRecord>(
      this.applications.manager.connection,
      `SELECT id, name, client_id AS "clientId", client_secret_hash AS "clientSecretHash", redirect_uris AS "redirectUris",
              post_logout_redirect_uris AS "postLogoutRedirectUris", grant_types AS "grantTypes",
              token_endpoint_auth_method AS "tokenEndpointAuthMethod", token_signing_alg AS "tokenSigningAlg"
         FROM applications WHERE workspace_id = $1 AND client_id = $2`,
      [workspaceId, clientId],
    );
    return rows[0] ?? null;
  }

  async update(workspaceId: string, id: string, fields: Partial<ApplicationFields>): Promise<void> {
    if (Object.keys(fields).length) await this.applications.update({ workspaceId, id }, fields);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await this.applications.delete({ workspaceId, id });
    return !!affected;
  }
}
