import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Compiles the admin console (src/console, tsc only) into dist/console, where the app
 * serves it from, exactly as `npm run build` does; a fresh clone has no dist/ yet.
 * A couple of seconds: no bundler, no framework.
 */
export function buildConsole(): void {
  try {
    execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build:console failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
}
