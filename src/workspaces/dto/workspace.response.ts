export class WorkspaceResponse {
  /** @example "6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  id: string;
  /** @example "Acme Corp" */
  name: string;
  /** @example "Production tenant for the customer portal" */
  description: string | null;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  updatedAt: string;
}

export class WorkspacePageResponse {
  items: WorkspaceResponse[];
  /** Pass as `cursor` to get the next page; null on the last page. @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}

export class ApiKeyResponse {
  /** @example "0b6f3c1e-8a3d-4c2b-9f4e-1a2b3c4d5e6f" */
  id: string;
  /** @example "6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  workspaceId: string;
  /** @example "provisioning script" */
  name: string;
  /** The first characters of the key. @example "ipk_EXAMPL" */
  prefix: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T10:15:00.000Z" */
  lastUsedAt: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  /** The key itself, shown this once: store it now. @example "ipk_EXAMPLE_key_shown_once_store_it_now_0000000" */
  key: string;
}

export class ApiKeyPageResponse {
  items: ApiKeyResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}
