import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import type { Interaction } from 'oidc-provider';
import { RateLimitedError } from '../../platform/rate-limit/rate-limiter';
import { ProviderRegistry } from '../oidc/provider.registry';
import { SignedIn } from './local.strategy';

export interface LoginRequest {
  user?: SignedIn | null;
  signInError?: RateLimitedError;
  /** The sign-in in progress, as the guard loaded it (the controller does not load it again). */
  interaction?: Interaction;
}

/**
 * Runs passport-local but never throws for a refused sign-in: the controller re-renders
 * the form with the one message every refusal gets (and a 429 page when throttled).
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  constructor(private readonly registry: ProviderRegistry) {
    super();
  }

  /**
   * Checks a password only for a sign-in in progress. A post without one (forged, sent
   * cross-site without the interaction cookie, or expired) goes on unchecked to the
   * controller, which answers it: otherwise anyone's browser could be made to send
   * guesses that lock accounts, from as many addresses as it has visitors.
   */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & LoginRequest>();
    req.interaction = await this.signInInProgress(req, http.getResponse<Response>());
    if (!req.interaction) return true;
    return (await super.canActivate(context)) as boolean;
  }

  handleRequest<T>(error: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    const req = context.switchToHttp().getRequest<LoginRequest>();
    if (error instanceof RateLimitedError) req.signInError = error;
    else if (error) throw error;
    return (user || null) as T;
  }

  private async signInInProgress(req: Request, res: Response): Promise<Interaction | undefined> {
    const provider = await this.registry.get(String(req.params.ws));
    return provider?.interactionDetails(req, res).catch(() => undefined);
  }
}
