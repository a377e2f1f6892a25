// Builds the server (signaling/, storage/, media/) to JavaScript in build/server/ with the installed
// esbuild, only when the build is missing or older than its sources, so that `npm start` runs plain
// node in every process (primary, cluster workers, the spawned embedded-Redis supervisor and devmongo
// server) instead of compiling TypeScript through tsx at each start.
// Packages stay external (mediasoup, sharp and the rest load from node_modules as usual).
// Used by `npm start` through ensureServerBuild(); also runnable: node scripts/build-server.mjs [--force]
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestFile } from './newestFile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBuildDir = path.join(root, 'build', 'server');

/**
 * One bundle per process entry point. The names are what the spawning code looks for next to
 * itself when it runs compiled (standins/redis/ensureEmbeddedRedis.ts, standins/mongo/ensureDevMongo.ts).
 */
const entryPoints = {
  main: 'signaling/main.ts',
  embeddedRedisMain: 'standins/redis/embeddedRedisMain.ts',
  devmongoMain: 'standins/mongo/main.ts',
};
export const serverEntry = path.join(serverBuildDir, 'main.js');
const sources = ['signaling', 'storage', 'media', 'standins', 'package-lock.json', 'tsconfig.json', 'scripts/build-server.mjs'].map((p) => path.join(root, p));

/**
 * The mediasoup worker helper (standins/mediasoup/*.mjs) stays in files of its own, imported from
 * the bundle by a path relative to build/server: ensureMediasoupWorker.mjs decides whether it runs as
 * a command by comparing process.argv[1] with its own URL, which would be true for every bundle it
 * was inlined into.
 */
const workerHelperDir = path.join(root, 'standins', 'mediasoup') + path.sep;
const keepScriptsExternal = {
  name: 'keep-worker-helper-external',
  setup(build) {
    build.onResolve({ filter: /\.mjs$/ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      if (!file.startsWith(workerHelperDir)) return undefined;
      return { path: path.relative(serverBuildDir, file).split(path.sep).join('/'), external: true };
    });
  },
};

/** Why a build is needed, or '' when build/server is up to date. */
export function serverBuildReason() {
  const outputs = Object.keys(entryPoints).map((name) => path.join(serverBuildDir, `${name}.js`));
  const missing = outputs.find((file) => !existsSync(file));
  if (missing) return `${path.relative(root, missing)} is missing`;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  for (const source of sources) {
    const found = newestFile(source);
    if (found.time > built) return `${path.relative(root, found.file)} changed`;
  }
  return '';
}

/** Builds build/server when it is missing or stale (or always with force). */
export async function ensureServerBuild({ log = console.log, force = false } = {}) {
  const reason = force ? 'forced' : serverBuildReason();
  if (!reason) {
    log('server: build/server is up to date');
    return false;
  }
  log(`server: building (${reason})…`);
  const started = Date.now();
  const esbuild = await import('esbuild');
  rmSync(serverBuildDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir: serverBuildDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Every package is loaded from node_modules at run time (native ones such as mediasoup and
    // sharp cannot be bundled; the rest keep their own module resolution and data files).
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [keepScriptsExternal],
  });
  log(`server: built build/server in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureServerBuild({ force: process.argv.includes('--force') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
