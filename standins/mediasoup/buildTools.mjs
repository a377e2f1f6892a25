// The tools of the offline worker build (meson, ninja, a C++ compiler, Debian's -dev libraries):
// installs the missing Debian packages when running as root, and runs commands with their output
// forwarded line by line to the progress log.
import { spawn, spawnSync } from 'node:child_process';

const APT_PACKAGES = [
  'meson',
  'ninja-build',
  'pkg-config',
  'g++',
  'libssl-dev',
  'libuv1-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'libflatbuffers-dev',
  'flatbuffers-compiler',
];

/** Runs a command, passing each output line to `log`; rejects on a non-zero exit. */
export function run(cmd, args, { cwd, log, env = process.env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        pending += chunk;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop();
        for (const line of lines) if (line.trim()) log(`  ${line}`);
      });
      stream.on('end', () => {
        if (pending.trim()) log(`  ${pending}`);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

export function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v "${name}"`], { stdio: 'ignore' }).status === 0;
}

export function mesonVersion() {
  const res = spawnSync('meson', ['--version'], { encoding: 'utf8' });
  return res.stdout.trim();
}

function missingAptPackages() {
  if (!commandExists('dpkg-query')) return [];
  return APT_PACKAGES.filter((pkg) => {
    const res = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return res.status !== 0 || !res.stdout.includes('install ok installed');
  });
}

/** Installs the missing build packages (needs root) or throws saying which ones to install. */
export async function ensureBuildTools(log) {
  const missing = missingAptPackages();
  if (missing.length > 0) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || !commandExists('apt-get')) {
      throw new Error(
        `building mediasoup-worker needs the Debian packages ${missing.join(' ')}; ` +
          `install them (apt-get install ${missing.join(' ')}) or set MEDIASOUP_WORKER_BIN`,
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log(`step: apt-get update`);
    await run('apt-get', ['update', '-q'], { log, env });
    log(`step: apt-get install ${missing.join(' ')}`);
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { log, env });
  }
  for (const tool of ['meson', 'ninja', 'pkg-config', 'c++', 'flatc']) {
    if (!commandExists(tool)) throw new Error(`${tool} is still missing after installing the build packages`);
  }
}
