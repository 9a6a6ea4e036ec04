import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';
import type { LambdaHandler } from '../../lib/local/lambda.js';
import { PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { ARGON2 } from '../../stacks/constructs/native-package.js';
import type { DeployedFunction } from './build.js';

/** The functions of this run's synth (test/deployed/build.ts), by name under functions/. */
export function deployedFunction(name: string): DeployedFunction {
  const all = inject('deployedFunctions');
  const found = all.find((fn) => fn.name === name);
  if (!found) throw new Error(`No bundle for ${name}; built: ${all.map((fn) => fn.name).join(', ')}`);
  return found;
}

/** Every function the stack deploys. */
export function deployedFunctions(): DeployedFunction[] {
  return inject('deployedFunctions');
}

/**
 * Copies are named with this prefix, which vitest.config.ts externalizes: the test runner hands
 * them to Node's own loader untransformed, as Lambda loads them.
 */
export const BUNDLE_COPY_PREFIX = 'deployed-bundle-';

const copies: string[] = [];

/** Removes the bundle copies this test file made (call from afterAll). */
export function removeBundleCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Imports a deployed bundle's `handler` in this process. The asset directory is copied to a fresh
 * directory outside the project, so only the bundle's own node_modules resolve, as in /var/task;
 * this machine is x64, so the host's argon2 binary joins the arm64 one. The bundle has its own
 * module instances: it is configured only as Lambda configures it, by environment variables.
 */
export async function loadBundle(name: string): Promise<LambdaHandler> {
  const fn = deployedFunction(name);
  const dir = mkdtempSync(join(tmpdir(), `${BUNDLE_COPY_PREFIX}${name.replace(/\//g, '-')}-`));
  copies.push(dir);
  cpSync(fn.dir, dir, { recursive: true });
  if (existsSync(join(dir, 'node_modules', ARGON2.loader))) {
    const host = ARGON2.binaryPackage(process.arch === 'arm64' ? 'arm64' : 'x64');
    cpSync(join(PROJECT_ROOT, 'node_modules', host), join(dir, 'node_modules', host), { recursive: true });
  }
  const module = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'index.mjs')).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${fn.entry}: the bundle exports no handler`);
  return module.handler as LambdaHandler;
}
