import { execFile } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BUNDLE, PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { ARGON2, nativeBinaryFile } from '../../stacks/constructs/native-package.js';

const run = promisify(execFile);

/** The bundles of the one synth of this test run (test/deployed/build.ts). */
const bundles = inject('deployedFunctions').map((fn) => ({ ...fn, name: fn.functionName }));
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** ELF e_machine: 0xB7 is AArch64, 0x3E is x86-64. */
function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  const header = Buffer.alloc(20);
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return header.readUInt16LE(18);
}

describe('function bundles', () => {
  it('builds one ESM bundle per function, with the createRequire banner and a source map', () => {
    expect(bundles).toHaveLength(12);
    for (const bundle of bundles) {
      const code = readFileSync(join(bundle.dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(BUNDLE.banner), bundle.name).toBe(true);
      expect(existsSync(join(bundle.dir, 'index.mjs.map')), bundle.name).toBe(true);
    }
  });

  it('ships the arm64 argon2 binary with every bundle that imports argon2, and only with those', () => {
    const withArgon2 = bundles.filter((b) =>
      readFileSync(join(b.dir, 'index.mjs'), 'utf8').includes(`"${ARGON2.loader}"`),
    );
    expect(withArgon2.map((b) => b.name)).toEqual(
      expect.arrayContaining(['audio-ingest-dev-api-user', 'audio-ingest-dev-api-admin-users']),
    );
    for (const bundle of bundles) {
      const binaryDir = join(bundle.dir, 'node_modules', ARGON2.binaryPackage('arm64'));
      expect(existsSync(binaryDir), bundle.name).toBe(withArgon2.includes(bundle));
      if (!withArgon2.includes(bundle)) continue;
      const binary = nativeBinaryFile(bundle.dir, ARGON2, 'arm64');
      expect(elfMachine(binary), `${bundle.name}: ${binary} is AArch64`).toBe(0xb7);
      expect(existsSync(join(bundle.dir, 'node_modules', ARGON2.loader, 'index.js'))).toBe(true);
    }
  });

  it('loads every bundle in a fresh Node process and finds its handler', async () => {
    for (const bundle of bundles) {
      // A copy outside the project, so only the bundle's own node_modules can resolve imports,
      // as in /var/task. This machine is x64: the host's argon2 binary joins the arm64 one.
      const dir = mkdtempSync(join(tmpdir(), 'bundle-load-'));
      temporary.push(dir);
      cpSync(bundle.dir, dir, { recursive: true });
      if (existsSync(join(dir, 'node_modules', ARGON2.loader))) {
        const host = ARGON2.binaryPackage(process.arch === 'arm64' ? 'arm64' : 'x64');
        cpSync(join(PROJECT_ROOT, 'node_modules', host), join(dir, 'node_modules', host), { recursive: true });
      }
      const url = pathToFileURL(join(dir, 'index.mjs')).href;
      const script = `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') { throw new Error('no handler export'); } console.log('ok');`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          ...bundle.environment,
          NODE_OPTIONS: '',
        },
      });
      expect(stdout.trim(), bundle.name).toBe('ok');
    }
  }, 120_000);
});
