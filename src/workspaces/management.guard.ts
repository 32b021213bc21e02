import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { UnauthorizedError } from '../platform/problem/app-error';
import { bearerKey } from './authenticate-first.middleware';
import { Principal, PUBLIC_ROUTE, ROOT_ONLY } from './principal';
import { WorkspacesService } from './workspaces.service';

/**
 * Authenticates every management route by API key and scopes it to a tenant: a route
 * with `:ws` answers 404 unless the caller may see that workspace, so no handler can
 * forget the check.
 */
@Injectable()
export class ManagementGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly workspaces: WorkspacesService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    // Found already before the body was read (authenticateFirst), unless the key could not be checked then.
    const key = bearerKey(req);
    const principal = req.principal ?? (key ? await this.workspaces.authenticate(key) : null);
    if (!principal) throw new UnauthorizedError();
    req.principal = principal;

    // Tenant first: another workspace is 404 whatever the route, so a root-only route cannot reveal it with a 403.
    // UUIDs are read in either case (RFC 9562); the handler sees the id as issued, lower case.
    if (typeof req.params.ws === 'string') {
      req.params.ws = req.params.ws.toLowerCase();
      await this.workspaces.assertAccess(principal, req.params.ws);
    }
    if (this.reflector.getAllAndOverride<boolean>(ROOT_ONLY, targets)) this.workspaces.assertRoot(principal);
    return true;
  }
}
