export class GroupResponse {
  /** @example "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a" */
  id: string;
  /** @example "6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b" */
  workspaceId: string;
  /** @example "admins" */
  name: string;
  /** @example "People who manage billing" */
  description: string | null;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T09:00:00.000Z" */
  updatedAt: string;
}

export class GroupPageResponse {
  items: GroupResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}

export class AddMembersResponse {
  /** Users that became members now. @example 2 */
  added: number;
  /** Users that were members already. @example 1 */
  alreadyMembers: number;
}
