import { createServer, Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page, Response } from 'playwright-core';

/**
 * What every browser suite shares: Debian's Chromium (/usr/bin/chromium, never a
 * downloaded one), headless, driven by playwright-core; fresh profiles that record every
 * request; screenshots for docs/screenshots.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // On a closed network these keep Chromium from calling home (updates, sync, field trials).
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(__dirname, '..', '..', '..', 'docs', 'screenshots');
export const VIEWPORT = { width: 800, height: 640 };

/** chromium.launch gives every run a fresh, temporary user-data dir (removed on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for, in order. */
  requests: string[];
}

/**
 * A fresh browser profile (no cookies) that records every request it makes. With
 * `forwardedFor` every request says it comes from that address (for an app started with
 * TRUST_PROXY), so per-IP counters, which live in the shared Redis and outlast a run,
 * are this profile's own.
 */
export async function openBrowser(browser: Browser, options: { forwardedFor?: string } = {}): Promise<BrowserSession> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    colorScheme: 'light',
    locale: 'en-US',
    ...(options.forwardedFor && { extraHTTPHeaders: { 'X-Forwarded-For': options.forwardedFor } }),
  });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  return { context, page: await context.newPage(), requests };
}

/** A random private address to send as X-Forwarded-For. */
export function randomClientIp(): string {
  return `10.${[...randomBytes(3)].join('.')}`;
}

/** The page made requests, and every one of them went to the app on loopback. */
export function expectOnlyLoopback(requests: string[]): void {
  expect(requests.length).toBeGreaterThan(0);
  const elsewhere = requests.filter((url) => !/^(data|about|blob):/.test(url) && new URL(url).hostname !== '127.0.0.1');
  expect(elsewhere).toEqual([]);
}

/** Clicks a submit button; resolves with the response to the form's POST once the answer has loaded. */
export async function submitForm(page: Page, button: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.getByRole('button', { name: button }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** Whether the element has the keyboard focus. */
export async function isFocused(page: Page, label: string): Promise<boolean> {
  return page.getByLabel(label, { exact: true }).evaluate((el) => el === el.ownerDocument.activeElement);
}

/** A full-page screenshot into docs/screenshots, without a caret or animations, so reruns compare. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The application's redirect URI: answers /callback with a small page, anything else 404. */
export async function startCallbackServer(): Promise<Server> {
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === '/callback') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><head><title>Callback</title></head><body><h1>Callback reached</h1></body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
