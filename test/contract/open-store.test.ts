import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { openStore, sqlitePath } from '../../lib/store/index.js';

describe('openStore', () => {
  let dir: string;
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'open-store-'));
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dynamo.close();
  });

  it('maps DATABASE_URL and DATA_DIR to a file path', () => {
    expect(sqlitePath('sqlite:///abs/path.db', '.data')).toBe('/abs/path.db');
    // SQLAlchemy's spellings, as the Python service's DATABASE_URL has them.
    expect(sqlitePath('sqlite:////tmp/yoto_smart_stream.db', '.data')).toBe('/tmp/yoto_smart_stream.db');
    expect(sqlitePath('sqlite:///./app.db', '.data')).toBe(join(process.cwd(), 'app.db'));
    expect(sqlitePath(undefined, '/srv/data')).toBe('/srv/data/local.db');
  });

  it('opens SQLite in DATA_DIR when no table is configured, and the data persists', async () => {
    const env = { DATA_DIR: join(dir, 'data') };
    const first = openStore(env);
    await first.upsertAudioFile({ filename: 'kept.mp3', size: 3 });
    await first.close();
    const second = openStore(env);
    expect((await second.getAudioFile('kept.mp3'))?.size).toBe(3);
    await second.close();
  });

  it('opens SQLite at DATABASE_URL', async () => {
    const file = join(dir, 'explicit.db');
    const store = openStore({ DATABASE_URL: `sqlite://${file}`, DATA_DIR: join(dir, 'unused') });
    await store.createUser({ username: 'u1', hashedPassword: 'h' });
    await store.close();
    const again = openStore({ DATABASE_URL: `sqlite://${file}` });
    expect(await again.userCount()).toBe(1);
    await again.close();
  });

  it('opens DynamoDB when DYNAMODB_TABLE is set, honouring DYNAMODB_ENDPOINT', async () => {
    const client = dynamo.client();
    await createTable(client, 'open-store');
    client.destroy();
    const env = {
      DYNAMODB_TABLE: 'open-store',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    try {
      const store = openStore(env);
      await store.upsertAudioFile({ filename: 'in-dynamo.mp3', size: 7 });
      expect((await store.getAudioFile('in-dynamo.mp3'))?.size).toBe(7);
      await store.close();
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
