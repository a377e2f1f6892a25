// Applies the unified diffs in standins/mediasoup/patches/ to a copy of mediasoup's worker sources
// (the diff package parses and applies them). The patches carry fixes the system libraries need;
// each explains itself inside.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parsePatch } from 'diff';

const PATCH_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'patches');

/** A patch no longer matches mediasoup's sources: the patch needs updating, nothing is built. */
export class WorkerPatchError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WorkerPatchError';
  }
}

/**
 * Applies <patchDir>/*.patch (in name order) to the sources under `workerDir`. Paths in a patch are
 * relative to mediasoup's worker/ ("a/src/..." / "b/src/..."). Context and removed lines must match
 * exactly (a hunk may have moved by some lines): if mediasoup changed the code, this throws and says
 * which patch to update instead of building something untested.
 * @returns {string[]} the patched files, relative to workerDir
 */
export function applyWorkerPatches(workerDir, log, patchDir = PATCH_DIR) {
  if (!fs.existsSync(patchDir)) return [];
  const patched = [];
  for (const name of fs.readdirSync(patchDir).filter((n) => n.endsWith('.patch')).sort()) {
    for (const filePatch of parsePatch(fs.readFileSync(path.join(patchDir, name), 'utf8'))) {
      if (!filePatch.newFileName) continue;
      const file = filePatch.newFileName.replace(/^b\//, '');
      const target = path.join(workerDir, file);
      if (!fs.existsSync(target)) throw new WorkerPatchError(`patch ${name}: ${file} does not exist in mediasoup's worker/`);
      const result = applyPatch(fs.readFileSync(target, 'utf8'), filePatch);
      if (result === false) {
        throw new WorkerPatchError(
          `patch ${name} does not apply to ${file}; mediasoup's source changed: update standins/mediasoup/patches/${name}`,
        );
      }
      fs.writeFileSync(target, result);
      patched.push(file);
      log(`step: patch ${name} -> ${file}`);
    }
  }
  return patched;
}
