import { applyDecorators, CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, Type, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** PUBLIC_URL's path ('' at the root), so that a URL the service hands out stays under a proxy's prefix (https://example.com/identity). */
export function publicBasePath(config: AppConfig): string {
  return new URL(config.publicUrl).pathname.replace(/\/+$/, '');
}

/** Names the created resource in `Location`: the collection the request posted to, and the new id. */
@Injectable()
class CreatedLocation implements NestInterceptor {
  private readonly basePath: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.basePath = publicBasePath(config);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    return next.handle().pipe(
      tap((created: { id?: unknown } | undefined) => {
        if (typeof created?.id === 'string') res.setHeader('Location', `${this.basePath}${req.path.replace(/\/+$/, '')}/${created.id}`);
      }),
    );
  }
}

/**
 * A create answered 201 with `Location` naming the new resource (RFC 9110 §15.3.2), as
 * Keycloak's admin API answers (its clients read the new id there).
 */
export function CreatedWithLocation(type: Type<unknown>, example: string): MethodDecorator {
  return applyDecorators(
    UseInterceptors(CreatedLocation),
    ApiCreatedResponse({ type, description: 'Created; `Location` names it', headers: { Location: { description: 'The new resource: GET it', schema: { type: 'string', example } } } }),
  );
}
