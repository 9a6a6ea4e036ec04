import type { Config } from '../config.js';
import { createTable } from '../model/table.js';
import { createDynamoStore } from '../store/dynamo.js';
import { openConfiguredStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { startDynalite } from './dynalite.js';

export interface LocalStore {
  store: Store;
  /** `sqlite` or `dynamodb` (an in-process dynalite). */
  kind: Config['STORE'];
  /** The dynalite endpoint with STORE=dynamodb. */
  dynamoEndpoint?: string;
  close(): Promise<void>;
}

/** Table name used on the in-process dynalite. */
const LOCAL_TABLE = 'audio-ingest-local';

/**
 * The store of local mode: SQLite at DATABASE_URL or `<DATA_DIR>/local.db`, or with
 * `STORE=dynamodb` an in-memory dynalite with the table created from the same definition the
 * CDK stack uses. Share one LocalStore between the API and the pipeline (a second dynalite would
 * be a second, empty database).
 */
export async function openLocalStore(config: Config): Promise<LocalStore> {
  if (config.STORE === 'dynamodb') {
    const dynamo = await startDynalite();
    const client = dynamo.client();
    try {
      await createTable(client, LOCAL_TABLE);
    } catch (error) {
      await dynamo.close();
      throw error;
    }
    const store = createDynamoStore({ client, tableName: LOCAL_TABLE });
    return {
      store,
      kind: 'dynamodb',
      dynamoEndpoint: dynamo.endpoint,
      close: async () => {
        await store.close();
        await dynamo.close();
      },
    };
  }
  // Otherwise the store openStore's rule picks (SQLite, or DynamoDB when DYNAMODB_TABLE is set).
  const store = openConfiguredStore(config);
  return { store, kind: config.DYNAMODB_TABLE ? 'dynamodb' : 'sqlite', close: () => store.close() };
}
