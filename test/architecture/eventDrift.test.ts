import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Type-checks one snippet that uses the server's event table types; answers tsc's diagnostics. */
async function typeCheck(snippet: string): Promise<string> {
  await mkdir(path.join(root, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(root, 'test-output', 'drift-'));
  try {
    const file = path.join(dir, 'snippet.ts');
    await writeFile(file, snippet);
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', 'node', file];
    try {
      await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), ...args], { cwd: root });
      return '';
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const header = `
import type { EventTable } from '${path.join(root, 'signaling/socket/eventTable')}';
import { SyncPayload, TypingPayload } from '${path.join(root, 'signaling/protocol/schemas')}';
`;

test('a handler whose result matches ClientToServerEvents compiles', async () => {
  const out = await typeCheck(`${header}
export const table: EventTable<'sync' | 'typing'> = {
  sync: { schema: SyncPayload, handle: async () => ({ messages: [], updates: [], more: false }) },
  typing: { schema: TypingPayload, handle: async () => ({ ok: true as const }) },
};`);
  assert.equal(out, '');
});

test('the compiler refuses a handler whose result drifts from the event map', async () => {
  const out = await typeCheck(`${header}
export const table: EventTable<'sync'> = {
  sync: { schema: SyncPayload, handle: async () => ({ messages: [] }) },
};`);
  assert.match(out, /snippet\.ts\(\d+,\d+\): error TS\d+/);
  assert.match(out, /more/);
});

test('the compiler refuses a schema of another event and a missing event', async () => {
  const wrongSchema = await typeCheck(`${header}
export const table: EventTable<'sync'> = {
  sync: { schema: TypingPayload, handle: async () => ({ messages: [], updates: [], more: false }) },
};`);
  assert.match(wrongSchema, /error TS\d+/);
  const missing = await typeCheck(`${header}
export const table: EventTable<'sync' | 'typing'> = {
  sync: { schema: SyncPayload, handle: async () => ({ messages: [], updates: [], more: false }) },
};`);
  assert.match(missing, /typing/);
});
