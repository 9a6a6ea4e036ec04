import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createHarness, type Harness } from './harness.js';

const enc = encodeURIComponent;

/** The same API walk-through on both store adapters: the routes only see the Store contract. */
describe.each(['sqlite', 'dynamodb'] as const)('API on the %s store', (backend) => {
  let h: Harness;
  let adminToken: string;
  beforeEach(async () => {
    h = await createHarness({ backend });
    adminToken = await h.tokenFor(await h.user('root', { isAdmin: true, password: 'root password 1' }));
  });
  afterEach(() => h.close());

  it('creates a user who logs in and reads audio; 409 on a duplicate; last admin protected', async () => {
    const created = await call('POST', '/api/admin/users', {
      token: adminToken,
      body: { username: 'Reader', password: 'reader password' },
    });
    expect(created.status).toBe(201);
    expect(
      (
        await call('POST', '/api/admin/users', {
          token: adminToken,
          body: { username: 'reader', password: 'x'.repeat(9) },
        })
      ).status,
    ).toBe(409);

    const login = await call('POST', '/api/user/login', { body: { username: 'READER', password: 'reader password' } });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    const wrong = await call('POST', '/api/user/login', { body: { username: 'reader', password: 'nope' } });
    const unknown = await call('POST', '/api/user/login', { body: { username: 'ghost', password: 'nope' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.raw).toBe(unknown.raw);

    for (const name of ['Morning News.mp3', 'evening news.wav', 'albums/a+b (1).mp3']) {
      await h.deps.store.upsertAudioFile({ filename: name, size: 10, duration: 3 });
    }
    const page1 = await call('GET', '/api/audio/list?limit=2', { token });
    expect(page1.body.count).toBe(2);
    const page2 = await call('GET', `/api/audio/list?limit=2&cursor=${enc(page1.body.next_cursor)}`, { token });
    const all = [...page1.body.files, ...page2.body.files].map((f: { filename: string }) => f.filename);
    expect(all.sort()).toEqual(['Morning News.mp3', 'albums/a+b (1).mp3', 'evening news.wav']);
    expect((await call('GET', '/api/audio/list?cursor=AAAA', { token })).status).toBe(400);

    const search = await call('GET', '/api/audio/search?q=NEWS', { token });
    expect(search.body.results.map((f: { filename: string }) => f.filename).sort()).toEqual([
      'Morning News.mp3',
      'evening news.wav',
    ]);
    const one = await call('GET', `/api/audio/metadata?filename=${enc('albums/a+b (1).mp3')}`, { token });
    expect(one.body).toMatchObject({ filename: 'albums/a+b (1).mp3', size: 10, transcript_status: 'pending' });
    expect((await call('GET', `/api/audio/${enc('missing.mp3')}/metadata`, { token })).status).toBe(404);

    await h.deps.store.setTranscriptStatus({ filename: 'Morning News.mp3', status: 'processing' });
    await h.deps.store.updateTranscript({ filename: 'Morning News.mp3', transcript: 'hello', status: 'completed' });
    const transcript = await call('GET', `/api/audio/${enc('Morning News.mp3')}/transcript`, { token });
    expect(transcript.body).toMatchObject({ transcript: 'hello', status: 'completed' });
    expect((await call('DELETE', `/api/audio/${enc('Morning News.mp3')}/transcript`, { token })).status).toBe(200);
    expect((await h.deps.store.getAudioFile('Morning News.mp3'))?.transcriptStatus).toBe('pending');

    const rootId = (await h.deps.store.getUser('root'))!.userId;
    expect((await call('DELETE', `/api/admin/users/${rootId}`, { token: adminToken })).status).toBe(409);
    expect((await call('GET', '/api/admin/users', { token })).status).toBe(403);
    const readerId = created.body.user.id as number;
    expect((await call('DELETE', `/api/admin/users/${readerId}`, { token: adminToken })).status).toBe(200);
    expect((await call('GET', '/api/audio/list', { token })).status).toBe(401);
  });
});
