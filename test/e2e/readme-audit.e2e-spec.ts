import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/platform/config/config';
import { sizeThreadpool } from '../../src/platform/threadpool/threadpool';

/**
 * The README's Configuration table is what operators read (the contract sends every
 * RATE_LIMIT_* there): each variable the service reads must have a row, each row must
 * name a variable the service reads, and each numeric default must be the real one.
 */

interface Row {
  names: string[];
  defaults: string[];
}

function configurationRows(): Row[] {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.split('\n## Configuration\n')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [names, defaults] = line.split('|').slice(1, 3);
      const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((match) => match[1]);
      return { names: codeSpans(names), defaults: defaults.trim().startsWith('`') ? codeSpans(defaults) : [] };
    });
}

/** Every environment variable a start reads, recorded by an environment that has none set. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, name) => (typeof name === 'string' && read.add(name), undefined),
    set: () => true,
  });
  loadConfig(recording);
  sizeThreadpool(recording);
  return read;
}

/** The documented default of each variable whose defaults are whole numbers, one per name. */
function numericDefaults(rows: Row[]): [string, string][] {
  return rows
    .filter((row) => row.defaults.length === row.names.length && row.defaults.every((value) => /^\d+$/.test(value)))
    .flatMap((row) => row.names.map((name, index): [string, string] => [name, row.defaults[index]]));
}

describe('README configuration table', () => {
  const rows = configurationRows();
  const documented = rows.flatMap((row) => row.names);
  const baseEnv = { ROOT_API_KEY: 'k'.repeat(32) };

  it('has a row for every variable the service reads, and no other', () => {
    expect([...variablesRead()].sort()).toEqual([...documented].sort());
  });

  it('documents every RATE_LIMIT_* with its default', () => {
    const rateLimits = numericDefaults(rows).filter(([name]) => name.startsWith('RATE_LIMIT_'));
    expect(rateLimits.map(([name]) => name).sort()).toEqual(documented.filter((name) => name.startsWith('RATE_LIMIT_')).sort());
    expect(rateLimits.length).toBeGreaterThanOrEqual(5);
  });

  it.each(numericDefaults(configurationRows()))('gives %s its documented default %s', (name, value) => {
    expect(loadConfig({ ...baseEnv, [name]: value })).toEqual(loadConfig(baseEnv));
  });
});
