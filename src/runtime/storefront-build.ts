// Building the storefront: the catalog snapshot goes to a file, Astro renders the site from it
// in a child process (so a build never stalls the server's event loop), into a new directory.
// Publishing swaps a symlink with rename(2), which is atomic: a reader sees the old site or
// the new one, never half of one.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CatalogSnapshot } from './storefront-catalog.ts';

export const projectRoot = resolve(import.meta.dirname, '..', '..');
const storefrontRoot = join(projectRoot, 'storefront');
const astroCli = join(projectRoot, 'node_modules', 'astro', 'bin', 'astro.mjs');
/** Output kept from a failing build, for its error message. */
const buildOutputCharsMax = 4_000;

export interface SiteOptions {
  /** Absolute origin the pages name in canonical URLs, Open Graph tags and the sitemap. */
  siteUrl: string;
  /** Origin of the Store API as the browser reaches it; '' is the site's own origin. */
  apiOrigin: string;
}

export interface BuildHandle {
  done: Promise<{ outDir: string; durationMs: number }>;
  /** Stops the build (its child process, by PID) and removes what it wrote. */
  cancel(): void;
}

export const snapshotDigest = (snapshot: CatalogSnapshot, site: SiteOptions) =>
  createHash('sha256').update(JSON.stringify([snapshot, site.siteUrl, site.apiOrigin])).digest('hex');

/** Renders the site for `snapshot` into `outDir` (which must not exist yet). Astro runs in a
 *  staging directory of its own inside the project: it keeps intermediate modules next to its
 *  output, and they must resolve packages from the project's node_modules; one staging
 *  directory per build keeps concurrent builds apart. */
export function renderSite(snapshot: CatalogSnapshot, site: SiteOptions, outDir: string): BuildHandle {
  removeAbandonedStages();
  const stageDir = join(storefrontRoot, '.builds', `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
  const stagedOut = join(stageDir, 'dist');
  mkdirSync(stageDir, { recursive: true });
  const catalogPath = join(stageDir, 'catalog.json');
  writeFileSync(catalogPath, JSON.stringify(snapshot));
  const startedAt = performance.now();
  let child: ChildProcess | undefined;
  let cancelled = false;
  const done = new Promise<{ outDir: string; durationMs: number }>((resolveBuild, reject) => {
    child = spawn(process.execPath, [astroCli, 'build', '--root', storefrontRoot, '--silent'], {
      cwd: stageDir,
      env: {
        ...process.env,
        ASTRO_TELEMETRY_DISABLED: '1',
        PEAKCART_CATALOG: catalogPath,
        PEAKCART_STOREFRONT_OUT: stagedOut,
        PEAKCART_STOREFRONT_CACHE: join(stageDir, 'cache'),
        PEAKCART_SITE_URL: site.siteUrl,
        PEAKCART_API_ORIGIN: site.apiOrigin,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-buildOutputCharsMax);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      try {
        if (code === 0 && !cancelled && existsSync(join(stagedOut, 'index.html'))) {
          rmSync(join(stagedOut, '.prerender'), { recursive: true, force: true });
          moveDir(stagedOut, outDir);
          resolveBuild({ outDir, durationMs: performance.now() - startedAt });
        } else {
          reject(new Error(cancelled ? 'storefront build cancelled' : `storefront build failed (${signal ?? `exit ${code}`}):\n${output}`));
        }
      } catch (error) {
        reject(error);
      } finally {
        rmSync(stageDir, { recursive: true, force: true });
      }
    });
  });
  return {
    done,
    cancel() {
      cancelled = true;
      if (child?.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
    },
  };
}

/** Staging directories left by a build whose process was killed; none lives this long. */
const stageAbandonedAfterMs = 60 * 60_000;

function removeAbandonedStages(): void {
  const stages = join(storefrontRoot, '.builds');
  if (!existsSync(stages)) return;
  for (const name of readdirSync(stages)) {
    const path = join(stages, name);
    if (Date.now() - statSync(path).mtimeMs > stageAbandonedAfterMs) rmSync(path, { recursive: true, force: true });
  }
}

/** rename(2) when both sides share a file system, a copy when they do not. */
function moveDir(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    cpSync(from, to, { recursive: true });
  }
}

/** Where the live sites of a server are kept: `<dir>/builds/<id>/` and the `current` link. */
export function siteLayout(dir: string) {
  return { builds: join(dir, 'builds'), current: join(dir, 'current') };
}

/** A new build directory under `dir`, not yet published. */
export function newBuildDir(dir: string): string {
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const buildDir = join(siteLayout(dir).builds, id);
  mkdirSync(buildDir, { recursive: true });
  return buildDir;
}

/** The published build directory (holding `dist/` and `digest`), if there is one. */
export function currentBuild(dir: string): string | undefined {
  try {
    const target = realpathSync(siteLayout(dir).current);
    return existsSync(join(target, 'dist', 'index.html')) ? target : undefined;
  } catch {
    return undefined;
  }
}

export const buildDigest = (buildDir: string) => {
  try {
    return readFileSync(join(buildDir, 'digest'), 'utf8');
  } catch {
    return undefined;
  }
};

/** Makes `buildDir` the current site atomically, then removes older builds but the previous
 *  one, so a request that started on it can still finish. */
export function publishBuild(dir: string, buildDir: string, digest: string): void {
  writeFileSync(join(buildDir, 'digest'), digest);
  const { builds, current } = siteLayout(dir);
  const previous = currentBuild(dir);
  const link = `${current}.${randomBytes(4).toString('hex')}.tmp`;
  // Relative to the link's own directory, so the data directory can move.
  symlinkSync(relative(dir, resolve(buildDir)), link);
  renameSync(link, current);
  const keep = new Set([resolve(buildDir), previous === undefined ? '' : resolve(previous)]);
  // Only builds that were published once are removed: one still running has no digest yet.
  const stale = readdirSync(builds)
    .map((name) => join(builds, name))
    .filter((path) => !keep.has(resolve(path)) && existsSync(join(path, 'digest')));
  for (const path of stale) rmSync(path, { recursive: true, force: true });
}
