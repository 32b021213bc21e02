import { createPool, createWorkspace, createWorkspaceKey } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Smaller promises of the contract: a UUID in either case names the same workspace, an API
 * key is created with `Location` and can be read back (never its secret), a field of the
 * wrong kind gets one message, and the document covers the hosted pages emails link to.
 */
describe('ids, API keys and the OpenAPI document', () => {
  let t: TestApp;
  let ws: { id: string };

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    ws = await createWorkspace(t);
  });
  afterAll(() => t.close());

  it('reads a workspace id in upper case as the same workspace, echoing it as issued, for the root key and its own key', async () => {
    const upper = ws.id.toUpperCase();
    expect((await t.root('get', `/v1/workspaces/${upper}`).expect(200)).body.id).toBe(ws.id);
    const pool = (await t.root('post', `/v1/workspaces/${upper}/pools`).send({ name: 'Upper case' }).expect(201)).body;
    expect(pool.workspaceId).toBe(ws.id);
    const key = await createWorkspaceKey(t, ws.id);
    expect((await t.as(key, 'get', `/v1/workspaces/${upper}/pools/${pool.id}`).expect(200)).body.id).toBe(pool.id);
    const other = await createWorkspace(t);
    await t.as(key, 'get', `/v1/workspaces/${other.id.toUpperCase()}`).expect(404);
  });

  it('creates an API key with Location naming it; the key read back shows its prefix, never the key', async () => {
    const created = await t.root('post', `/v1/workspaces/${ws.id}/api-keys`).send({ name: 'ci' }).expect(201);
    expect(created.headers.location).toBe(`/v1/workspaces/${ws.id}/api-keys/${created.body.id}`);
    const read = await t.root('get', created.headers.location).expect(200);
    expect(read.body).toEqual({ id: created.body.id, workspaceId: ws.id, name: 'ci', prefix: created.body.prefix, createdAt: created.body.createdAt, lastUsedAt: null });
    expect(read.text).not.toContain(created.body.key);

    await t.as(created.body.key, 'get', `/v1/workspaces/${ws.id}`).expect(200);
    expect((await t.root('get', created.headers.location).expect(200)).body.lastUsedAt).toEqual(expect.any(String));
    await t.root('delete', created.headers.location).expect(204);
    await t.root('get', created.headers.location).expect(404);
    const other = await createWorkspace(t);
    const theirs = (await t.root('post', `/v1/workspaces/${other.id}/api-keys`).send({ name: 'theirs' }).expect(201)).body;
    await t.root('get', `/v1/workspaces/${ws.id}/api-keys/${theirs.id}`).expect(404);
  });

  it('says an email of the wrong kind is not a string, once, not that it is too long', async () => {
    const pool = await createPool(t, ws.id);
    const created = await t.root('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`).send({ email: 5, credential: { mode: 'invitation' } }).expect(400);
    expect(created.body.errors).toEqual([{ field: 'email', message: 'email must be a string' }]);
    const reset = await t.http.post('/v1/self-service/password-resets').send({ poolId: pool.id, email: 5 }).expect(400);
    expect(reset.body.errors).toEqual([{ field: 'email', message: 'email must be a string' }]);
  });

  describe('the OpenAPI document', () => {
    let doc: { paths: Record<string, Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> }>>; components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> } };

    beforeAll(async () => {
      doc = (await t.http.get('/docs-json').expect(200)).body;
    });

    it.each(['accept-invitation', 'verify-email', 'reset-password'])('documents the hosted page /self-service/%s: the page with its token, and its form post', (page) => {
      const item = doc.paths[`/self-service/${page}`];
      expect(item.get).toMatchObject({ tags: ['Hosted pages'], summary: expect.any(String) });
      expect(item.get.parameters?.map(({ name }) => name)).toEqual(['token']);
      expect(Object.keys(item.get.responses['200'].content ?? {})).toEqual(['text/html']);
      expect(Object.keys(item.get.responses)).toEqual(expect.arrayContaining(['404', '410', '429']));
      expect(Object.keys(item.post.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    });

    it.each(['accept-invitation', 'verify-email', 'reset-password'])('answers /self-service/%s as documented: 400 without a token, 404 with one never sent, both pages', async (page) => {
      const documented = Object.keys(doc.paths[`/self-service/${page}`].get.responses);
      for (const [query, status] of [['', 400], ['?token=EXAMPLE_token_from_the_emailed_link_0000000', 404]] as const) {
        const res = await t.http.get(`/self-service/${page}${query}`).expect(status);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(documented).toContain(String(status));
      }
    });

    it('answers the registration page of a closed pool 403, as documented', async () => {
      const closed = await createPool(t, ws.id);
      const res = await t.http.get(`/self-service/register?pool=${closed.id}`).expect(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(Object.keys(doc.paths['/self-service/register'].get.responses)).toContain('403');
    });

    it('documents the hosted registration page and its form post', () => {
      const item = doc.paths['/self-service/register'];
      expect(item.get.parameters?.map(({ name }) => name)).toEqual(['pool']);
      expect(Object.keys(item.post.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
      expect(Object.keys(item.post.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '429']));
    });

    it('gives every property of the import record an example, the plaintext password too', () => {
      const record = doc.components.schemas.ImportRecord.properties;
      const missing = Object.entries(record).filter(([, property]) => property.example === undefined).map(([name]) => name);
      expect(missing).toEqual([]);
    });

    it('documents reading one API key back', () => {
      expect(doc.paths['/v1/workspaces/{ws}/api-keys/{id}'].get).toMatchObject({ summary: expect.any(String) });
    });
  });
});
