import type { NextFunction, Request, Response, Router } from 'express';
import { Router as createRouter, static as serveStatic } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the admin console answers. */
export const CONSOLE_MOUNT = '/console';

/**
 * The console is static files that call the management API from the same origin: they
 * load nothing from elsewhere, run no inline script and may not be framed. `form-action
 * 'none'` means no form can ever be submitted natively, so an API key typed into the
 * sign-in form can never end up in a URL, even if a script failed to load.
 */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Revalidated on every load (ETag), so an upgraded service never runs yesterday's modules.
  'Cache-Control': 'no-cache',
};

/**
 * The compiled console: `tsc -p src/console/tsconfig.json` writes it to dist/console (see
 * the `build:console` script). Found from the project root, which is the nearest folder
 * with a package.json, so the same path works from dist/src (npm start, the image) and
 * from src (ts-jest). CONSOLE_DIR overrides it (the browser tests build into a folder
 * of their own, so they never race a build writing dist/).
 */
export function consoleDirectory(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

/**
 * Serves the console's files under /console. Mounted before body parsing and Nest's
 * routes: the files are public (the console's own API calls carry the key), and anything
 * else under /console is a plain 404 that never reaches the API's guard or parsers.
 */
export function consoleRouter(directory: string = consoleDirectory()): Router {
  const router = createRouter();
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.set(CONSOLE_SECURITY_HEADERS);
    // /console → /console/, so the page's relative URLs resolve under /console/.
    const [path, query] = req.originalUrl.split(/\?(.*)/s, 2);
    if (path === CONSOLE_MOUNT && (req.method === 'GET' || req.method === 'HEAD')) {
      return res.redirect(301, `${CONSOLE_MOUNT}/${query ? `?${query}` : ''}`);
    }
    next();
  });
  router.use(serveStatic(directory, { index: 'index.html', redirect: true, dotfiles: 'ignore', fallthrough: true }));
  router.use((_req: Request, res: Response) => {
    const built = existsSync(join(directory, 'index.html'));
    res
      .status(404)
      .type('text/plain')
      .send(built ? 'Not found\n' : 'The admin console is not built. Run `npm run build` (or `npm run build:console`), then reload.\n');
  });
  return router;
}
