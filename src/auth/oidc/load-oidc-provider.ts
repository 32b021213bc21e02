import type * as OidcProviderModule from 'oidc-provider';

let loaded: typeof OidcProviderModule | undefined;

/**
 * oidc-provider 9 is an ES module that CommonJS loads with require() on Node 20.19+.
 * It warns at import that it prefers Node 22 LTS; we run it on Node 20 deliberately
 * (tested here), so that one line is kept out of the log. Anything else it prints stays.
 */
export function oidcProvider(): typeof OidcProviderModule {
  if (loaded) return loaded;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
    warn(...args);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('oidc-provider') as typeof OidcProviderModule;
  } finally {
    console.warn = warn;
  }
  return loaded;
}
