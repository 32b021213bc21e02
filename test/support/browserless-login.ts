/**
 * Drives the hosted login page like a browser would, without one: follows redirects
 * with a cookie jar, fills the form and submits it, until the issuer redirects to the
 * application's redirect URI. Returns that final URL (with `code` and `state`).
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface LoginResult {
  /** The URL the issuer finally sent the browser to (the redirect URI), or null. */
  redirectedTo: string | null;
  /** The last page shown when the flow stopped on it (e.g. a refused login). */
  page?: { status: number; body: string };
}

export async function followLogin(authorizationUrl: string, credentials: { identifier: string; password: string }, redirectUri: string, jar = new CookieJar()): Promise<LoginResult> {
  let url = authorizationUrl;
  let init: RequestInit = {};
  let submitted = false;
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url).toString();
      if (next.startsWith(redirectUri)) return { redirectedTo: next };
      url = next;
      init = {};
      continue;
    }
    const body = await response.text();
    const form = /<form method="post" action="([^"]+)"/.exec(body);
    if (!form || submitted) return { redirectedTo: null, page: { status: response.status, body } };
    submitted = true;
    url = new URL(form[1].replace(/&amp;/g, '&'), url).toString();
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(credentials).toString(),
    };
  }
  throw new Error('too many redirects');
}
