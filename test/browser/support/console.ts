import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Compiles the admin console (src/console, tsc only) with the `build:console` script that
 * `npm run build` runs, into a folder of this test run's own: dist/ may not exist (a fresh
 * clone) or may be rebuilt meanwhile. Start the app with CONSOLE_DIR set to it. A couple
 * of seconds: no bundler, no framework.
 */
export function buildConsole(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'identity-pools-console-'));
  try {
    execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, CONSOLE_DIR: dir } });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build:console failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
