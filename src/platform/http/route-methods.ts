import type { INestApplication } from '@nestjs/common';

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

interface Route {
  pattern: RegExp;
  methods: string[];
}

/** The methods that a path answers, by the app's routes; none for a path no route has. */
export type AllowedMethods = (path: string) => string[];

/**
 * Reads the app's routes (Nest's controllers, registered on Express) the first time it is
 * asked, so that a wrong method on a real path is told apart from an unknown path: 405
 * with `Allow` (RFC 9110 §15.5.6), not 404.
 */
export function routeMethods(app: INestApplication): AllowedMethods {
  let routes: Route[] | undefined;
  return (path) => {
    routes ??= compile(app.getHttpAdapter().getInstance().router?.stack ?? []);
    const methods = new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods));
    // Express answers HEAD wherever it answers GET.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/** Nest's paths have plain segments and `:name` parameters; Express matches them case-insensitively. */
function compile(stack: RouterLayer[]): Route[] {
  return stack.flatMap(({ route }) => {
    if (!route || typeof route.path !== 'string') return [];
    const segments = route.path.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const methods = Object.keys(route.methods).filter((method) => method !== '_all').map((method) => method.toUpperCase());
    return [{ pattern: new RegExp(`^${segments.join('/')}/?$`, 'i'), methods }];
  });
}
