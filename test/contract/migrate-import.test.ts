import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../lib/auth/passwords.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { importUsers } from '../../lib/migrate/import-users.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

let dir: string;
let dynamo: LocalDynamo;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'import-'));
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.close();
  rmSync(dir, { recursive: true, force: true });
});

const CSV = [
  'username,password,email,is_admin',
  'alice,correct horse battery,alice@example.com,yes',
  'bo,longenough1,,',
  'carol,short,,',
  'dave!,longenough1,,',
  'erin,longenough1,not-an-email,',
  'frank,longenough1,,maybe',
  'ALICE,another-password,,',
  '"grace","pass, with ""comma""",grace@example.com,0',
  'existing,longenough1,,',
].join('\r\n');

const stores: { name: string; open(): Promise<Store> }[] = [
  { name: 'SQLite', open: async () => openSqliteStore(join(dir, `${randomUUID()}.db`)) },
  {
    name: 'DynamoDB (dynalite)',
    async open() {
      const client = dynamo.client();
      const tableName = `import-${randomUUID()}`;
      await createTable(client, tableName);
      return createDynamoStore({ client, tableName, ownsClient: true });
    },
  },
];

describe.each(stores)('import-users on $name', ({ open }) => {
  it('creates the valid rows with argon2id hashes and rejects each bad row with its reason', async () => {
    const store = await open();
    await store.createUser({ username: 'existing', hashedPassword: 'x' });
    const file = join(dir, `${randomUUID()}.csv`);
    writeFileSync(file, CSV);

    const report = await importUsers(file, { store });

    expect(report.created.map((c) => c.username)).toEqual(['alice', 'grace']);
    const reasons = Object.fromEntries(report.rejected.map((r) => [r.line, r.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 10]);
    expect(reasons[3]).toMatch(/3–50 characters/);
    expect(reasons[4]).toMatch(/at least 8 characters/);
    expect(reasons[5]).toMatch(/3–50 characters of letters, digits/);
    expect(reasons[6]).toMatch(/not an email/);
    expect(reasons[7]).toMatch(/is_admin must be/);
    expect(reasons[8]).toMatch(/repeats the one on line 2/);
    expect(reasons[10]).toMatch(/already exists/);

    const alice = await store.getUser('alice');
    expect(alice).toMatchObject({ isAdmin: true, email: 'alice@example.com' });
    expect(alice?.hashedPassword).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await verifyPassword(alice?.hashedPassword ?? '', 'correct horse battery')).ok).toBe(true);
    const grace = await store.getUser('grace');
    expect((await verifyPassword(grace?.hashedPassword ?? '', 'pass, with "comma"')).ok).toBe(true);
    expect(await store.userCount()).toBe(3);
    await store.close();
  });

  it('reads JSON files too, and a dry run creates nothing', async () => {
    const store = await open();
    const file = join(dir, `${randomUUID()}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        users: [{ username: 'json-user', password: 'longenough1', is_admin: false }, { username: 'x' }],
      }),
    );

    const dry = await importUsers(file, { store }, { dryRun: true });
    expect(dry).toMatchObject({ accepted: 1, created: [] });
    expect(dry.rejected).toEqual([
      { line: 2, username: 'x', reason: expect.stringMatching(/3–50.*; password is missing/) },
    ]);
    expect(await store.userCount()).toBe(0);

    const real = await importUsers(file, { store });
    expect(real.created.map((c) => c.username)).toEqual(['json-user']);
    await store.close();
  });
});
