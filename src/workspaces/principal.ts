import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

/** Who is calling the management API: the root key, or a key of one workspace. */
export type Principal = { kind: 'root' } | { kind: 'workspace'; workspaceId: string; keyId: string };

export const PUBLIC_ROUTE = 'identity-pools:public';
export const ROOT_ONLY = 'identity-pools:root-only';

/** No API key needed (health, docs, self-service, OIDC). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only the root key may call this route; a workspace key gets 403. */
export const RootOnly = () => SetMetadata(ROOT_ONLY, true);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
