import type { S3Client } from '@aws-sdk/client-s3';
import type { Adapters, Deps } from '../runtime.js';

/**
 * The one mechanism by which the composition root builds ports: each port of a Deps is built on
 * first use, once (concurrent first uses share the build; a failed build is retried by the next
 * use, e.g. a secret that could not be read yet), by an async builder that imports its adapter
 * and SDK there, so a function evaluates only the SDKs it uses. Ports with a synchronous call
 * shape (`deps.store.getUser(...)`) are presented by `forwarding`, whose methods await the same
 * build.
 *
 * The builds and the adapters live on the Deps under symbols, carried along by every copy spread
 * from it (`{ ...deps, logger }`), so a child of the process deps never builds a port twice.
 */

const BUILDS = Symbol('port builds');
const ADAPTERS = Symbol('adapters');

type Hidden = { [BUILDS]?: Map<string, Promise<unknown>>; [ADAPTERS]?: Adapters };

/** Defined enumerable, so spreading the deps carries it along. */
function hide<K extends keyof Hidden>(deps: Deps, key: K, value: NonNullable<Hidden[K]>): NonNullable<Hidden[K]> {
  Object.defineProperty(deps, key, { value, enumerable: true });
  return value;
}

/** Records which adapters build these deps' ports, with the table of builds (createDeps does). */
export function attachAdapters(deps: Deps, adapters: Adapters): void {
  hide(deps, ADAPTERS, adapters);
  // Made now, not on first use: copies spread from the deps before then must share it.
  hide(deps, BUILDS, new Map());
}

/** The port `name` of these deps, built once with `build` (shared by copies of the deps). */
export function built<T>(deps: Deps, name: string, build: (deps: Deps) => T | Promise<T>): Promise<T> {
  const hidden = deps as Deps & Hidden;
  const builds = hidden[BUILDS] ?? hide(deps, BUILDS, new Map());
  let pending = builds.get(name) as Promise<T> | undefined;
  if (!pending) {
    pending = Promise.resolve()
      .then(() => build(deps))
      .catch((error: unknown) => {
        builds.delete(name);
        throw error;
      });
    builds.set(name, pending);
  }
  return pending;
}

type AdapterPort = Exclude<keyof Adapters, 'observability'>;

/** The port built by these deps' adapters (AWS or local, as createDeps was told). */
export function port<K extends AdapterPort>(deps: Deps, name: K): ReturnType<Adapters[K]> {
  const adapters = (deps as Deps & Hidden)[ADAPTERS];
  if (!adapters) throw new Error(`These deps were not made by createDeps; cannot build their ${name}.`);
  const build = adapters[name] as (d: Deps) => Promise<unknown>;
  return built(deps, name, build) as ReturnType<Adapters[K]>;
}

/** The S3 client of these deps: the installed one, else built on first use (its SDK loads then). */
export function s3Of(deps: Deps): Promise<S3Client> {
  return deps.s3 ? Promise.resolve(deps.s3) : port(deps, 's3');
}

type Method = (...args: never[]) => Promise<unknown>;
/** The names of T's methods. */
export type MethodsOf<T> = { [K in keyof T]-?: T[K] extends Method ? K : never }[keyof T] & string;

export interface ForwardingOptions<T> {
  /**
   * A method that releases the adapter (a store's `close`): before anything was built it builds
   * nothing, and later calls reject with `released()`.
   */
  release?: MethodsOf<T>;
  released?: () => Error;
}

/**
 * An object with T's listed methods, each awaiting `get()` (the port's build) and forwarding the
 * call: the synchronous shape of a port whose adapter is built on first call.
 */
export function forwarding<T extends object>(
  methods: readonly MethodsOf<T>[],
  get: () => Promise<T>,
  options: ForwardingOptions<T> = {},
): T {
  let last: Promise<T> | undefined;
  let releasedEarly = false;
  const port: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  const call = (adapter: T, name: string, args: unknown[]) =>
    (adapter[name as keyof T] as (...a: unknown[]) => Promise<unknown>).apply(adapter, args);
  for (const name of methods) {
    port[name] = async (...args) => {
      if (releasedEarly) throw options.released?.() ?? new Error('This port was released before it was used.');
      if (name === options.release) {
        if (!last) {
          releasedEarly = true;
          return undefined;
        }
        // An adapter that failed to build holds nothing to release.
        const adapter = await last.catch(() => undefined);
        return adapter ? call(adapter, name, args) : undefined;
      }
      last = get();
      return call(await last, name, args);
    };
  }
  return port as T;
}
