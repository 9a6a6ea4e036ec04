import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Native addons cannot be bundled by esbuild: the loader stays an external import and the
 * prebuilt binary for the Lambda's CPU is copied next to the bundle, in `node_modules/`, where
 * Node's resolution finds it. The binary for another CPU (arm64 here on x64) is not installed by
 * npm, so it is fetched once with `npm pack` (served from the npm cache when offline), checked
 * against the integrity recorded in package-lock.json, and kept under node_modules/.cache.
 */
export interface NativePackage {
  /** The package the code imports, e.g. `@node-rs/argon2`. */
  loader: string;
  /** The files of the loader package a bundle needs at run time. */
  loaderFiles: string[];
  /** The per-platform binary package for a CPU (Lambda runs glibc Linux). */
  binaryPackage(arch: 'arm64' | 'x64'): string;
}

export const ARGON2: NativePackage = {
  loader: '@node-rs/argon2',
  loaderFiles: ['package.json', 'index.js'],
  binaryPackage: (arch) => `@node-rs/argon2-linux-${arch}-gnu`,
};

/**
 * Returns a directory holding `node_modules/<loader>` and `node_modules/<binary for arch>`, ready
 * to copy next to a bundle. Throws with the command to run when the binary cannot be obtained.
 */
export function stageNativePackage(projectRoot: string, pkg: NativePackage, arch: 'arm64' | 'x64'): string {
  const modules = join(projectRoot, 'node_modules');
  const loaderDir = join(modules, pkg.loader);
  const version = readVersion(loaderDir);
  if (!version) throw new Error(`${pkg.loader} is not installed in ${modules}: run npm ci first.`);
  const binaryName = pkg.binaryPackage(arch);
  const binaryDir = findOrFetchBinary(projectRoot, binaryName, version);

  const stage = join(modules, '.cache', 'native-packages', `stage-${binaryName.replace('/', '+')}@${version}`);
  const stagedBinary = join(stage, 'node_modules', binaryName);
  if (readVersion(stagedBinary) !== version) {
    rmSync(stage, { recursive: true, force: true });
    for (const file of pkg.loaderFiles) {
      mkdirSync(join(stage, 'node_modules', pkg.loader), { recursive: true });
      cpSync(join(loaderDir, file), join(stage, 'node_modules', pkg.loader, file));
    }
    cpSync(binaryDir, stagedBinary, { recursive: true });
  }
  return stage;
}

/** The `.node` file inside a staged binary package, for tests that check its CPU. */
export function nativeBinaryFile(stageDir: string, pkg: NativePackage, arch: 'arm64' | 'x64'): string {
  const dir = join(stageDir, 'node_modules', pkg.binaryPackage(arch));
  const file = readdirSync(dir).find((name) => name.endsWith('.node'));
  if (!file) throw new Error(`No .node file in ${dir}`);
  return join(dir, file);
}

function readVersion(dir: string): string | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
}

function findOrFetchBinary(projectRoot: string, name: string, version: string): string {
  const installed = join(projectRoot, 'node_modules', name);
  if (readVersion(installed) === version) return installed;

  const cached = join(projectRoot, 'node_modules', '.cache', 'native-packages', `${name.replace('/', '+')}@${version}`);
  if (readVersion(cached) === version) return cached;

  const integrity = lockedIntegrity(projectRoot, name, version);
  mkdirSync(join(projectRoot, 'node_modules', '.cache'), { recursive: true });
  const work = mkdtempSync(join(projectRoot, 'node_modules', '.cache', 'native-fetch-'));
  try {
    let tarball: string;
    try {
      const out = execFileSync(
        'npm',
        ['pack', `${name}@${version}`, '--prefer-offline', '--silent', '--json', '--pack-destination', work],
        { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const [entry] = JSON.parse(out) as { filename: string }[];
      tarball = join(work, entry!.filename);
    } catch (error) {
      throw new Error(
        `Could not obtain ${name}@${version} (the Lambda's native binary). Run \`npm pack ${name}@${version}\` once with network access; it is served from the npm cache afterwards. Cause: ${(error as Error).message}`,
      );
    }
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== integrity) {
      throw new Error(
        `${name}@${version}: tarball integrity ${actual} does not match package-lock.json (${integrity}).`,
      );
    }
    execFileSync('tar', ['-xzf', tarball, '-C', work]);
    mkdirSync(join(cached, '..'), { recursive: true });
    renameSync(join(work, 'package'), cached);
    return cached;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The lock file pins every platform binary of an optional-dependency set, even uninstalled ones. */
function lockedIntegrity(projectRoot: string, name: string, version: string): string {
  const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry?.integrity || entry.version !== version) {
    throw new Error(`package-lock.json has no ${name}@${version} entry with an integrity hash; run npm install.`);
  }
  return entry.integrity;
}
