import { parseImportRecord, recordIdentifier } from './import-record';

const NUL = '\u0000';
const LONE = '\ud800';

describe('parseImportRecord', () => {
  it('accepts a record with paired surrogates', () => {
    expect(parseImportRecord({ email: 'ada@example.com', givenName: 'Ada 😀', attributes: { note: '😀' } }).record).toMatchObject({ givenName: 'Ada 😀' });
  });

  it.each([
    ['givenName', { givenName: `a${NUL}` }],
    ['externalId', { externalId: LONE }],
    ['groups', { groups: ['ok', NUL] }],
    ['attributes', { attributes: { nested: [{ note: LONE }] } }],
    ['attributes', { attributes: { [`key${NUL}`]: 'value' } }],
    ['password', { password: `secret${NUL}` }],
  ])('names %s when it holds text PostgreSQL cannot store', (field, fields) => {
    const { problem } = parseImportRecord({ email: 'ada@example.com', ...fields });
    expect(problem).toEqual({ code: 'invalid_record', message: `${field} must not contain NUL characters or unpaired surrogates` });
  });

  it('trims a password hash copied with its line end', () => {
    const hash = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
    expect(parseImportRecord({ email: 'ada@example.com', passwordHash: ` ${hash}\r\n` }).record?.passwordHash).toBe(hash);
  });

  it('reports an email with a lone surrogate instead of throwing', () => {
    expect(parseImportRecord({ email: `x${LONE}@example.com` }).problem?.message).toContain('email');
  });
});

describe('recordIdentifier', () => {
  it('skips an identifier that cannot be stored with the error', () => {
    expect(recordIdentifier({ externalId: NUL, email: 'ada@example.com' })).toBe('ada@example.com');
    expect(recordIdentifier({ email: `x${LONE}@example.com` })).toBeNull();
  });
});
