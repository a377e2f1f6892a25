// The sources of the offline build: a copy of node_modules/mediasoup/worker (so node_modules stays
// pristine) whose meson subprojects are replaced by stand-ins for Debian's system libraries
// (subprojects/, found through pkg-config), with libsrtp 3 calls mapped onto libsrtp2
// (shims/srtp.h) and the fixes of patches/ applied.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyWorkerPatches } from './applyWorkerPatches.mjs';
import { mesonVersion } from './buildTools.mjs';
import { PACKAGE_DIR } from './mediasoupPackage.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** `directory = ...` of a meson .wrap file: where meson looks for an already present subproject. */
function wrapDirectory(wrapFile) {
  const m = /^\s*directory\s*=\s*(\S+)\s*$/m.exec(fs.readFileSync(wrapFile, 'utf8'));
  return m ? m[1] : path.basename(wrapFile, '.wrap');
}

function versionLess(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  }
  return false;
}

/** Copies worker/ to `workerDir`, swaps in the system-library subprojects and applies the patches. */
export function prepareWorkerSources(workerDir, log) {
  const src = path.join(PACKAGE_DIR, 'worker');
  log(`step: copying ${src} to ${workerDir}`);
  fs.cpSync(src, workerDir, {
    recursive: true,
    filter: (file) => {
      const rel = path.relative(src, file);
      return !['out', 'prebuild', 'pip_invoke', path.join('subprojects', 'packagecache')].includes(rel);
    },
  });

  const stubsDir = path.join(HERE, 'subprojects');
  for (const name of fs.readdirSync(stubsDir)) {
    const wrapFile = path.join(workerDir, 'subprojects', `${name}.wrap`);
    if (!fs.existsSync(wrapFile)) {
      throw new Error(`mediasoup no longer has subprojects/${name}.wrap; update standins/mediasoup/subprojects`);
    }
    const target = path.join(workerDir, 'subprojects', wrapDirectory(wrapFile));
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(path.join(stubsDir, name), target, { recursive: true });
    if (name === 'libsrtp3') {
      fs.mkdirSync(path.join(target, 'include'), { recursive: true });
      fs.copyFileSync(path.join(HERE, 'shims', 'srtp.h'), path.join(target, 'include', 'srtp.h'));
    }
    log(`step: subproject ${name} -> system library stand-in (subprojects/${path.basename(target)})`);
  }

  applyWorkerPatches(workerDir, log);

  const mesonFile = path.join(workerDir, 'meson.build');
  const have = mesonVersion();
  const text = fs.readFileSync(mesonFile, 'utf8');
  const patched = text.replace(/meson_version\s*:\s*'>=\s*([\d.]+)'/, (whole, wanted) => {
    if (!versionLess(have, wanted)) return whole;
    log(`step: lowering the meson requirement from >= ${wanted} to >= ${have} (Debian's meson)`);
    return `meson_version: '>= ${have}'`;
  });
  fs.writeFileSync(mesonFile, patched);
}
