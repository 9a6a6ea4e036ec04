import { randomBytes } from 'node:crypto';
import { hashFamily, type VerifyResult, verifyDummy, verifyPassword } from './passwords.js';

/**
 * Failed logins all take as long as the slowest password hash family present, so the time of a
 * 401 does not tell an unknown username from an existing account, whatever its hash: the
 * current argon2id (m=19456,t=2,p=1, a few ms), the Python service's argon2id (m=65536,t=3,p=4,
 * several times slower) or bcrypt (cost 12, passlib's default: slower still). A failed attempt
 * verifies what it has (the account's hash, or a dummy hash of the current family for an unknown
 * name), then waits until the time of the slowest family has passed since the attempt began. The
 * wait is a timer, not work: it costs no CPU, so it hands no one a cheap way to load the server.
 * Successful logins are not padded (whoever gets one already knows the account exists).
 *
 * Each family's cost is measured in this process: the reference hashes below once, at the first
 * failure, then every verify updates its family's running average, so the floor follows the
 * machine's speed and load. A family that is not among the references (e.g. bcrypt cost 14) joins
 * the floor from its first verify on. Written here because no maintained library pads by hash family.
 */

/**
 * Hashes of random, discarded passwords, one per legacy family the Python service can have left in
 * the table: argon2-cffi's defaults (what passlib wrote) and bcrypt at passlib's default cost.
 */
export const REFERENCE_HASHES: readonly string[] = [
  '$argon2id$v=19$m=65536,t=3,p=4$xYRuuTczfpkmsSbDvhnEzw$/AdfP5Mu70Xf6PlhZTfVxSYHm898gqFTgw3K4Fy57Ds',
  '$2b$12$5UMS4FOrx6oXFsDZWXq6K.kiCl57s6UWrL9zHwvevnlayu8awLfFm',
];

/** The dummy's family: unknown usernames are verified against a hash with the current parameters. */
const DUMMY_FAMILY = 'dummy';
/** Room above the slowest measured verify, for its run-to-run spread. */
const MARGIN = 1.25;
/** Weight of the newest measurement in a family's running average. */
const SMOOTHING = 0.2;

export interface LoginTiming {
  /** Verifies against the account's hash, or a dummy hash when there is no account; measures it. */
  verify(stored: string | undefined, password: string): Promise<VerifyResult>;
  /** Resolves once a failed attempt begun at `startedAt` (performance.now()) has lasted the floor. */
  padFailure(startedAt: number): Promise<void>;
  /** The current floor in ms (after measuring the reference hashes once). */
  floorMs(): Promise<number>;
}

export interface LoginTimingOptions {
  references?: readonly string[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A timing equalizer with its own measurements (the login path uses one per process). */
export function createLoginTiming(options: LoginTimingOptions = {}): LoginTiming {
  const references = options.references ?? REFERENCE_HASHES;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const costs = new Map<string, number>();
  const record = (family: string, ms: number) => {
    const previous = costs.get(family);
    costs.set(family, previous === undefined ? ms : previous + SMOOTHING * (ms - previous));
  };
  const timed = async <T>(family: string, work: () => Promise<T>): Promise<T> => {
    const start = now();
    try {
      return await work();
    } finally {
      record(family, now() - start);
    }
  };
  const verify = (stored: string | undefined, password: string): Promise<VerifyResult> =>
    stored === undefined
      ? timed(DUMMY_FAMILY, async () => {
          await verifyDummy(password);
          return { ok: false, needsRehash: false };
        })
      : timed(hashFamily(stored), () => verifyPassword(stored, password));

  let measured: Promise<void> | undefined;
  const measureReferences = () => {
    measured ??= (async () => {
      const probe = randomBytes(16).toString('base64url');
      // One after the other: measured side by side they would slow each other down.
      await verify(undefined, probe);
      for (const reference of references) await verify(reference, probe);
    })();
    return measured;
  };
  const floorMs = async () => {
    await measureReferences();
    return Math.max(0, ...costs.values()) * MARGIN;
  };
  return {
    verify,
    floorMs,
    async padFailure(startedAt) {
      const wait = startedAt + (await floorMs()) - now();
      if (wait > 0) await sleep(wait);
    },
  };
}

let processTiming: LoginTiming | undefined;

/** The process-wide equalizer: every login of a container shares one set of measurements. */
export function defaultLoginTiming(): LoginTiming {
  processTiming ??= createLoginTiming();
  return processTiming;
}
