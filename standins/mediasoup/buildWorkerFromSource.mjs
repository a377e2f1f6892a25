// The offline build of mediasoup-worker against Debian's libraries, in a build directory under the
// cache (about 5-6 minutes on 2 cores). An interrupted build resumes when its recipe is unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandExists, ensureBuildTools, mesonVersion, run } from './buildTools.mjs';
import { isWorkingWorker } from './mediasoupPackage.mjs';
import { prepareWorkerSources } from './prepareWorkerSources.mjs';
import { buildFingerprint, cacheRoot, installBinary, recipeId, writeInfo } from './workerCache.mjs';

/** Builds the worker and installs it at `cachedBin`; throws when any step fails. */
export async function buildWorkerFromSource({ version, cacheDir, cachedBin, log, keepBuild = false }) {
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  log(`building mediasoup-worker ${version} from source against the system libraries (about 6 min on 2 cores)`);
  await ensureBuildTools(log);

  const buildRoot = path.join(cacheRoot(), `build-mediasoup-worker-${version}`);
  const workerDir = path.join(buildRoot, 'worker');
  const outDir = path.join(workerDir, 'out');
  const stampFile = path.join(buildRoot, 'fingerprint');
  const fingerprint = buildFingerprint(version);
  const resumable =
    fs.existsSync(path.join(outDir, 'build.ninja')) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === fingerprint;

  if (resumable) {
    log(`step: resuming the unfinished build in ${buildRoot}`);
  } else {
    fs.rmSync(buildRoot, { recursive: true, force: true });
    fs.mkdirSync(buildRoot, { recursive: true });
    prepareWorkerSources(workerDir, log);
    log('step: meson setup (--wrap-mode=nodownload, release, liburing off)');
    await run(
      'meson',
      [
        'setup',
        'out',
        '--wrap-mode=nodownload',
        '--buildtype',
        'release',
        '-Db_ndebug=true',
        '-Dms_disable_liburing=true',
      ],
      { cwd: workerDir, log },
    );
    fs.writeFileSync(stampFile, fingerprint);
  }

  // Lower priority: the build takes every core for minutes and should not starve other work.
  const niced = (args) => (commandExists('nice') ? ['nice', ['-n', '10', 'meson', ...args]] : ['meson', args]);
  const jobs = String(os.availableParallelism?.() ?? os.cpus().length);
  log(`step: compile flatbuffers-generator (FlatBuffers headers) [${elapsed()}]`);
  await run(...niced(['compile', '-C', 'out', 'flatbuffers-generator']), { cwd: workerDir, log });
  log(`step: compile mediasoup-worker with ${jobs} jobs [${elapsed()}]`);
  await run(...niced(['compile', '-C', 'out', '-j', jobs, 'mediasoup-worker']), { cwd: workerDir, log });

  const built = path.join(outDir, 'mediasoup-worker');
  log(`step: checking the built worker (a bare run must exit with code 41) [${elapsed()}]`);
  if (!isWorkingWorker(built)) throw new Error(`the built worker ${built} does not run as expected`);
  installBinary(built, cacheDir, cachedBin);
  const seconds = Math.round((Date.now() - started) / 1000);
  writeInfo(cacheDir, { version, source: 'built', recipe: recipeId(version), fingerprint, seconds, meson: mesonVersion() });
  if (keepBuild) log(`keeping the build directory ${buildRoot} (compile_commands.json in worker/out)`);
  else fs.rmSync(buildRoot, { recursive: true, force: true });
  log(`built mediasoup-worker in ${seconds} s: ${cachedBin} (${(fs.statSync(cachedBin).size / 1e6).toFixed(1)} MB)`);
}
