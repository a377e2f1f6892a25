// The import rules of .dependency-cruiser.cjs hold over the tree: no circles in the product, the
// tiers depend downwards only, the web client shares only the protocol, and the product reaches
// the development stand-ins only through standins/index.ts (scripts/lint-imports.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

test('imports follow the rules of .dependency-cruiser.cjs', async () => {
  const lint = path.join(root, 'scripts', 'lint-imports.mjs');
  try {
    await run(process.execPath, [lint], { cwd: root });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    assert.fail(`npm run lint:imports found violations:\n${stdout ?? ''}${stderr ?? ''}`);
  }
});
