import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_PATH } from '../../lib/http/file-urls.js';
import { isIgnoredKey } from '../../lib/ingest/keys.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import type { ApiServer } from '../../lib/local/server.js';
import { silentMp3 } from '../helpers/audio.js';
import { keyForm, pathForm, ROUND_TRIP_NAMES, travelsInPath } from '../helpers/filenames.js';
import { hasCommand } from '../helpers/local-stack.js';
import { ADMIN_PASSWORD, API_SECRETS, callApi, startBundledApi } from './api-harness.js';
import { BUCKET, type DeployedPipeline, startDeployedPipeline } from './pipeline-harness.js';

/**
 * Every name of the round-trip table through the deployed bundles: upload-url, a PUT to the
 * presigned URL, the pipeline (the ASL in the local runner, each Task and on-upload/on-delete a
 * bundle, the object events in the EventBridge shape the stack routes), then list, metadata,
 * transcript, stream and delete through the bundled API behind the local front door (API Gateway
 * events). One stack: the API bundles and the pipeline's share the table (dynalite) and the
 * bucket (s3rver), both reached through the variables the bundles are given.
 */
const missing = ['lame'].filter((tool) => !hasCommand(tool));
const NAMES = [...ROUND_TRIP_NAMES].sort();

interface ListedFile {
  filename: string;
  url: string;
}

/** `template` for `name` in the key form, and also in the path form where API Gateway carries the key there. */
const forms = (template: string, name: string) => [
  keyForm(template, name),
  ...(travelsInPath(name) ? [pathForm(template, name)] : []),
];

/** The key an S3 URL's path names in BUCKET (path-style, as the bundles presign). */
const keyOfUrl = (url: string) => decodeURIComponent(new URL(url).pathname).replace(`/${BUCKET}/`, '');

const objectKeys = (h: DeployedPipeline, fn: string) =>
  h.objectEvents.filter((e) => e.function === fn).map((e) => (e.event.detail.object as { key: string }).key);

describe.skipIf(missing.length > 0)('filenames through the deployed bundles (needs lame)', () => {
  let h: DeployedPipeline;
  let api: ApiServer;
  let token: string;
  let audio: Buffer;
  const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}) =>
    callApi(api, method, path, options);
  const bucketKeys = async () =>
    ((await h.pipeline.s3.client().send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [])
      .map((object) => object.Key as string)
      .sort();

  beforeAll(async () => {
    audio = silentMp3(1);
    h = await startDeployedPipeline({ environment: API_SECRETS });
    api = await startBundledApi();
    const login = await call('POST', '/api/user/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.status).toBe(200);
    token = login.body.access_token as string;
  });
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('every name, all at once: upload-url, a PUT to the presigned URL, one run each, the row completed under exactly that key', async () => {
    await Promise.all(
      NAMES.map(async (name) => {
        const ticket = await call('POST', '/api/audio/upload-url', {
          token,
          body: { filename: name, content_type: 'audio/mpeg' },
        });
        expect(ticket.status).toBe(200);
        // The bundle presigns for the S3 endpoint it was given: the proxy in front of s3rver.
        const url = ticket.body.url as string;
        expect(new URL(url).origin).toBe(h.s3Proxy.url);
        expect(keyOfUrl(url)).toBe(name);
        const put = await fetch(url, {
          method: 'PUT',
          headers: ticket.body.headers as Record<string, string>,
          body: audio,
        });
        expect(put.status).toBe(200);
      }),
    );
    await h.pipeline.settled();

    // One "Object Created" each, its key as stored (eventbridge-object-created.json spells it so);
    // the others are Transcribe's output documents, which on-upload leaves alone.
    expect(
      objectKeys(h, 'on-upload')
        .filter((key) => !isIgnoredKey(key))
        .sort(),
    ).toEqual(NAMES);
    const runs = await Promise.all((await h.pipeline.history.list()).map((run) => h.pipeline.history.get(run.name)));
    const byEventKey = runs.map((run) => {
      const input = run.input as IngestInput;
      return { key: input.eventKey ?? input.key, status: run.status, error: run.error };
    });
    expect(byEventKey.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual(
      NAMES.map((key) => ({ key, status: 'SUCCEEDED', error: undefined })),
    );

    // Every row of the table: one per name, none under another reading of a key (`a b.mp3`, `A.mp3`).
    const rows = (await h.store.listAudioFiles()).items;
    expect(rows.map((row) => row.filename).sort()).toEqual(NAMES);
    for (const row of rows) {
      expect(row).toMatchObject({
        transcriptStatus: 'completed',
        size: audio.length,
        transcript: `transcript of s3://${BUCKET}/${row.filename}`,
      });
    }
    // Transcribe's output documents are gone once their text is on the rows: the bucket holds the
    // audio and nothing else (no lifecycle rule would ever expire them).
    expect(await bucketKeys()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)(
    '%s: list, metadata, transcript and stream answer for it, then delete removes object and row',
    async (name) => {
      const list = await call('GET', '/api/audio/list', { token });
      const listed = (list.body.files as ListedFile[]).filter((file) => file.filename === name);
      expect(listed).toEqual([
        expect.objectContaining({ filename: name, size: audio.length, transcript_status: 'completed' }),
      ]);
      const [file] = listed as [ListedFile];

      for (const target of forms('/api/audio/{filename}/metadata', name)) {
        const metadata = await call('GET', target, { token });
        expect({ target, status: metadata.status, body: metadata.body }).toMatchObject({
          status: 200,
          body: { filename: name, transcript_status: 'completed', has_transcript: true, url: file.url },
        });
      }
      for (const target of forms('/api/audio/{filename}/transcript', name)) {
        const transcript = await call('GET', target, { token });
        expect({ target, status: transcript.status, body: transcript.body }).toMatchObject({
          status: 200,
          body: { filename: name, transcript: `transcript of s3://${BUCKET}/${name}`, status: 'completed' },
        });
      }

      // With a session in either form, and from the list's signed url without one: a 302 to a
      // presigned GET of exactly this key, which serves exactly the uploaded bytes.
      const streams = [...forms(STREAM_PATH, name).map((target) => ({ target, token })), { target: file.url }];
      for (const { target, ...auth } of streams) {
        const stream = await call('GET', target, auth);
        const location = stream.headers.get('location') ?? '';
        expect({ target, status: stream.status }).toEqual({ target, status: 302 });
        expect(new URL(location).origin).toBe(h.s3Proxy.url);
        expect(keyOfUrl(location)).toBe(name);
        const bytes = await fetch(location);
        expect(bytes.status).toBe(200);
        expect(Buffer.from(await bytes.arrayBuffer()).equals(audio)).toBe(true);
      }

      // Deleted in the path form where the key travels there, else in the key form.
      const [remove] = forms('/api/audio/{filename}', name).reverse();
      const deleted = await call('DELETE', remove as string, { token });
      expect(deleted).toMatchObject({ status: 200, body: { success: true, filename: name } });
      await h.pipeline.settled(); // on-delete handles the "Object Deleted" the delete sends
      expect(objectKeys(h, 'on-delete')).toContain(name);
      await expect(
        h.pipeline.s3.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: name })),
      ).rejects.toMatchObject({ name: 'NotFound' });
      expect(await h.store.getAudioFile(name)).toBeUndefined();
      for (const target of forms('/api/audio/{filename}/metadata', name)) {
        expect({ target, status: (await call('GET', target, { token })).status }).toEqual({ target, status: 404 });
      }
    },
  );

  it('leaves the bucket empty once every file is deleted', async () => {
    expect(await bucketKeys()).toEqual([]);
  });
});
