import { Readable } from 'node:stream';
import { MAX_LINE_BYTES, NdjsonToCopy } from './ndjson-to-copy';

async function rows(...chunks: Buffer[]): Promise<{ rows: string[]; records: number }> {
  const lines = new NdjsonToCopy('job');
  let out = '';
  for await (const part of Readable.from(chunks).pipe(lines)) out += part;
  return { rows: out.split('\n').filter(Boolean), records: lines.records };
}

describe('NdjsonToCopy', () => {
  it('numbers lines, skips blank ones and escapes for COPY', async () => {
    const result = await rows(Buffer.from('{"a":"x\\\\y\\ty"}\n\n  \n{"b":1}'));
    expect(result).toEqual({ rows: ['job\t1\t{"a":"x\\\\\\\\y\\\\ty"}', 'job\t4\t{"b":1}'], records: 2 });
  });

  it('stores NULL for a line over the limit and keeps the next line', async () => {
    const result = await rows(Buffer.from(`{"a":"${'x'.repeat(MAX_LINE_BYTES)}"}\n`), Buffer.from('{"b":1}\n'));
    expect(result).toEqual({ rows: ['job\t1\t\\N', 'job\t2\t{"b":1}'], records: 2 });
  });

  it('stores an empty line, which is not JSON, for a line with a raw NUL byte, wherever the chunks split', async () => {
    const result = await rows(Buffer.from('{"a":1}\n{"b":"x'), Buffer.from([0]), Buffer.from('y"}\n{"c":3}'));
    expect(result).toEqual({ rows: ['job\t1\t{"a":1}', 'job\t2\t', 'job\t3\t{"c":3}'], records: 3 });
  });
});
