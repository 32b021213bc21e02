import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { isUuid } from '../platform/ids/uuid';
import { mapPage, Page, PageQuery } from '../platform/pagination/page';
import { displayPrefix, newApiKey, secretsEqual, sha256 } from './api-key-secret';
import { ApiKey } from './api-key.entity';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { CreateWorkspaceDto } from './dto/create-workspace.dto';
import { UpdateWorkspaceDto } from './dto/update-workspace.dto';
import { ApiKeyResponse, CreatedApiKeyResponse, WorkspaceResponse } from './dto/workspace.response';
import { Principal } from './principal';
import { Workspace } from './workspace.entity';
import { ApiKeyNotFoundError, RootKeyRequiredError, WorkspaceNotFoundError } from './workspaces.errors';
import { WorkspacesRepository } from './workspaces.repository';

/**
 * Only the id as issued (lower case) names a workspace: PostgreSQL matches a UUID in any
 * case, and another spelling would be echoed as `workspaceId` and in an issuer that 404s.
 * The management guard lowers the path's id before it gets here, as RFC 9562 reads UUIDs.
 */
function isIssuedId(workspaceId: string): boolean {
  return isUuid(workspaceId) && workspaceId === workspaceId.toLowerCase();
}
/** last_used_at is a hint for admins; writing it on every request would cost a write per call. */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly repository: WorkspacesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Resolves a bearer token to a principal, or null when it is no valid key. */
  async authenticate(token: string): Promise<Principal | null> {
    if (secretsEqual(token, this.config.rootApiKey)) return { kind: 'root' };
    const key = await this.repository.findKeyByHash(sha256(token));
    if (!key) return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      void this.repository.touchKey(key.id).catch(() => undefined);
    }
    return { kind: 'workspace', workspaceId: key.workspaceId, keyId: key.id };
  }

  /** 404 unless the principal may see this workspace and it exists; another tenant's id looks unknown. */
  async assertAccess(principal: Principal, workspaceId: string): Promise<void> {
    if (!isIssuedId(workspaceId)) throw new WorkspaceNotFoundError();
    if (principal.kind === 'workspace') {
      if (principal.workspaceId !== workspaceId) throw new WorkspaceNotFoundError();
      return;
    }
    if (!(await this.repository.exists(workspaceId))) throw new WorkspaceNotFoundError();
  }

  /** Whether a workspace with this id exists (any string is accepted). */
  async exists(workspaceId: string): Promise<boolean> {
    return isIssuedId(workspaceId) && this.repository.exists(workspaceId);
  }

  assertRoot(principal: Principal): void {
    if (principal.kind !== 'root') throw new RootKeyRequiredError();
  }

  async create(dto: CreateWorkspaceDto): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.repository.create({ name: dto.name, description: dto.description ?? null }));
  }

  async list(principal: Principal, query: PageQuery): Promise<Page<WorkspaceResponse>> {
    const onlyId = principal.kind === 'workspace' ? principal.workspaceId : undefined;
    return mapPage(await this.repository.list(query, onlyId), toWorkspaceResponse);
  }

  /** The workspace, or null; for modules that name it (emails, pages). */
  async find(workspaceId: string): Promise<WorkspaceResponse | null> {
    const workspace = await this.repository.find(workspaceId);
    return workspace && toWorkspaceResponse(workspace);
  }

  async get(workspaceId: string): Promise<WorkspaceResponse> {
    const workspace = await this.repository.find(workspaceId);
    if (!workspace) throw new WorkspaceNotFoundError();
    return toWorkspaceResponse(workspace);
  }

  async update(workspaceId: string, dto: UpdateWorkspaceDto): Promise<WorkspaceResponse> {
    const workspace = await this.repository.update(workspaceId, dto);
    if (!workspace) throw new WorkspaceNotFoundError();
    return toWorkspaceResponse(workspace);
  }

  /** Set by the OIDC issuers, which cache per workspace; see `whenDeleted`. */
  private forgetDeleted?: (workspaceId: string) => void;

  /** Called once a workspace is deleted, so that this process stops answering for it at once. */
  whenDeleted(forget: (workspaceId: string) => void): void {
    this.forgetDeleted = forget;
  }

  async delete(workspaceId: string): Promise<void> {
    if (!(await this.repository.delete(workspaceId))) throw new WorkspaceNotFoundError();
    this.forgetDeleted?.(workspaceId);
  }

  async createKey(workspaceId: string, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponse> {
    const key = newApiKey();
    const row = await this.repository.createKey(workspaceId, { name: dto.name, keyHash: sha256(key), keyPrefix: displayPrefix(key) });
    return { ...toApiKeyResponse(row), key };
  }

  async listKeys(workspaceId: string, query: PageQuery): Promise<Page<ApiKeyResponse>> {
    return mapPage(await this.repository.listKeys(workspaceId, query), toApiKeyResponse);
  }

  async getKey(workspaceId: string, keyId: string): Promise<ApiKeyResponse> {
    const key = await this.repository.findKey(workspaceId, keyId);
    if (!key) throw new ApiKeyNotFoundError();
    return toApiKeyResponse(key);
  }

  /** Deleting the row revokes the key for the very next request: keys are never cached. */
  async revokeKey(workspaceId: string, keyId: string): Promise<void> {
    if (!(await this.repository.deleteKey(workspaceId, keyId))) throw new ApiKeyNotFoundError();
  }
}

function toWorkspaceResponse(w: Workspace): WorkspaceResponse {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

function toApiKeyResponse(k: ApiKey): ApiKeyResponse {
  return {
    id: k.id,
    workspaceId: k.workspaceId,
    name: k.name,
    prefix: k.keyPrefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}
