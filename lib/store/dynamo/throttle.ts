import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { windowKey } from '../../model/throttle.js';
import { failureAccount, failureWindows, loginFailures } from '../login-failures.js';
import type { LoginFailures } from '../store.js';
import { batchGetAll, batchWriteAll } from './batch.js';
import type { DynamoContext } from './context.js';

type Key = Record<string, NativeAttributeValue>;
type Composite = { username: string; window: string };

/** An ended window is unread, so TTL may delete it a minute after it ends. */
const TTL_MARGIN_SECONDS = 60;

function windowsOf(username: string, now: Date) {
  const account = failureAccount(username);
  const windows = failureWindows(now);
  return {
    windows,
    minute: { username: account, window: windowKey('MINUTE', windows.minute) },
    hour: { username: account, window: windowKey('HOUR', windows.hour) },
  };
}

const keyOf = (ctx: DynamoContext, composite: Composite): Key =>
  (ctx.loginFailure.get(composite).params() as { Key: Key }).Key;

/** UpdateItem `ADD failures :1 SET expires_at`: atomic, no read before the write. */
async function increment(ctx: DynamoContext, composite: Composite, endsAt: number): Promise<number> {
  const { data } = await ctx.loginFailure
    .update(composite)
    .add({ failures: 1 })
    .set({ expires_at: Math.ceil(endsAt / 1000) + TTL_MARGIN_SECONDS })
    .go({ response: 'updated_new' });
  return Number(data?.failures ?? 0);
}

/** Both current windows with one consistent BatchGetItem (a missing item counts 0). */
export async function getLoginFailures(ctx: DynamoContext, username: string, now = new Date()): Promise<LoginFailures> {
  const { windows, minute, hour } = windowsOf(username, now);
  const keys = [keyOf(ctx, minute), keyOf(ctx, hour)];
  const items = await batchGetAll(ctx, keys, { consistentRead: true });
  const count = (key: Key) => Number(items.find((item) => item.SK === key.SK)?.failures ?? 0);
  return loginFailures(now, windows, count(keys[0] as Key), count(keys[1] as Key));
}

/** One UpdateItem per window, in parallel: two requests, no lost updates under concurrency. */
export async function recordLoginFailure(
  ctx: DynamoContext,
  username: string,
  now = new Date(),
): Promise<LoginFailures> {
  const { windows, minute, hour } = windowsOf(username, now);
  const [inMinute, inHour] = await Promise.all([
    increment(ctx, minute, windows.minuteEndsAt),
    increment(ctx, hour, windows.hourEndsAt),
  ]);
  return loginFailures(now, windows, inMinute, inHour);
}

/** Deletes both current windows' items with one BatchWriteItem (older ones are never read). */
export async function clearLoginFailures(ctx: DynamoContext, username: string, now = new Date()): Promise<void> {
  const { minute, hour } = windowsOf(username, now);
  await batchWriteAll(ctx, [
    { DeleteRequest: { Key: keyOf(ctx, minute) } },
    { DeleteRequest: { Key: keyOf(ctx, hour) } },
  ]);
}
