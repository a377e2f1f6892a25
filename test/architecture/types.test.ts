// The whole tree type-checks, server and web client: a handler, store or test that drifts from the
// shared types fails `npm test`, not only the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs a type-checker's command line; fails the test with its diagnostics when it reports any. */
async function typeCheck(name: string, bin: string, args: string[]): Promise<void> {
  try {
    await run(process.execPath, [path.join(root, 'node_modules', bin), ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    assert.fail(`${name} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

test('the server, stand-ins, tests and scripts type-check (tsc --noEmit -p .)', async () => {
  await typeCheck('tsc', 'typescript/bin/tsc', ['--noEmit', '-p', '.']);
});

test('the web client type-checks (vue-tsc --noEmit -p web)', async () => {
  await typeCheck('vue-tsc', 'vue-tsc/bin/vue-tsc.js', ['--noEmit', '-p', 'web']);
});
