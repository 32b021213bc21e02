import { Readable } from 'node:stream';
import { discardedLine, MAX_LINE_BYTES, NdjsonToCopy, NotUtf8UploadError } from './ndjson-to-copy';

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

  it('stores a marker for a line that is not UTF-8, even when a character is split across chunks', async () => {
    const e = Buffer.from('é');
    const result = await rows(Buffer.from('{"a":"Jos'), e.subarray(0, 1), Buffer.concat([e.subarray(1), Buffer.from('"}\n{"b":"Jos')]), Buffer.from([0xe9]), Buffer.from('"}\n'));
    expect(result.rows.map((row) => row.split('\t').slice(1))).toEqual([
      ['1', '{"a":"José"}'],
      ['2', ' '],
    ]);
    expect(discardedLine(' ')).toEqual({ code: 'invalid_json', message: expect.stringMatching(/UTF-8/) });
  });

  it.each([
    ['UTF-16LE', Buffer.from('\ufeff{"a":1}\n', 'utf16le')],
    ['UTF-16BE', Buffer.from('\ufeff{"a":1}\n', 'utf16le').swap16()],
  ])('refuses an upload that starts with a %s byte order mark', async (_name, bytes) => {
    await expect(rows(bytes)).rejects.toBeInstanceOf(NotUtf8UploadError);
  });
});
