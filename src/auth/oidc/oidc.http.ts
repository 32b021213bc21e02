import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Provider } from 'oidc-provider';
import { NotFoundError } from '../../platform/problem/app-error';
import { problemFromAppError, writeProblem } from '../../platform/problem/problem';
import { ProviderRegistry } from './provider.registry';
import { UserinfoEndpoint } from './userinfo.endpoint';

export const OIDC_MOUNT = '/oidc/:ws';

/**
 * Routes `/oidc/{workspaceId}/*` to that workspace's Provider. The hosted login page
 * (`/interaction/…`) is left to its Nest controller, and `/userinfo` to ours.
 */
@Injectable()
export class OidcHttp {
  /** Each Provider's request handler; koa's callback() composes the middleware anew at every call. */
  private readonly handlers = new WeakMap<Provider, (req: IncomingMessage, res: ServerResponse) => unknown>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly userinfo: UserinfoEndpoint,
  ) {}

  readonly handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.path.startsWith('/interaction/')) return next();
    const workspaceId = String(req.params.ws);
    try {
      const provider = await this.registry.get(workspaceId);
      if (!provider) return writeProblem(res, problemFromAppError(new NotFoundError('Issuer', 'No workspace has this issuer. Check the workspace id in the URL.')));
      if (req.path === '/userinfo') return await this.userinfo.handle(req, res, workspaceId, this.registry.issuerOf(workspaceId));
      let handler = this.handlers.get(provider);
      if (!handler) this.handlers.set(provider, (handler = provider.callback()));
      handler(req, res);
    } catch (error) {
      next(error);
    }
  };
}
