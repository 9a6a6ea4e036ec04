import { resolve } from 'node:path';
import { type Config, loadConfig } from '../config.js';
import { openDynamoStore } from './dynamo.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

export { createTable } from '../model/table.js';
export type * from './store.js';

/**
 * Opens the store the environment asks for: DynamoDB through ElectroDB when `DYNAMODB_TABLE` is
 * set (honouring `DYNAMODB_ENDPOINT` and `AWS_REGION`), otherwise SQLite at `DATABASE_URL` or
 * `<DATA_DIR>/local.db`.
 */
export function openStore(env: NodeJS.ProcessEnv = process.env): Store {
  return openConfiguredStore(loadConfig(env));
}

/** openStore for an already loaded config (the composition root has one). */
export function openConfiguredStore(
  config: Pick<Config, 'DYNAMODB_TABLE' | 'DYNAMODB_ENDPOINT' | 'AWS_REGION' | 'DATABASE_URL' | 'DATA_DIR'>,
): Store {
  if (config.DYNAMODB_TABLE) return openDynamoStore(config.DYNAMODB_TABLE, config);
  return openSqliteStore(sqlitePath(config.DATABASE_URL, config.DATA_DIR));
}

/**
 * `sqlite:///abs/path.db` and SQLAlchemy's `sqlite:////abs/path.db` → `/abs/path.db`;
 * SQLAlchemy's relative form `sqlite:///./x.db` → `./x.db` resolved from the working directory;
 * no URL → `<dataDir>/local.db`.
 */
export function sqlitePath(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return resolve(dataDir, 'local.db');
  const rest = databaseUrl.slice('sqlite:///'.length);
  if (rest.startsWith('./') || rest.startsWith('../')) return resolve(rest);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
