import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { RateLimitedError } from '../../platform/rate-limit/rate-limiter';
import { SignedIn } from './local.strategy';

export interface LoginRequest {
  user?: SignedIn | null;
  signInError?: RateLimitedError;
}

/**
 * Runs passport-local but never throws for a refused sign-in: the controller re-renders
 * the form with the one message every refusal gets (and a 429 page when throttled).
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  handleRequest<T>(error: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    const req = context.switchToHttp().getRequest<LoginRequest>();
    if (error instanceof RateLimitedError) req.signInError = error;
    else if (error) throw error;
    return (user || null) as T;
  }
}
