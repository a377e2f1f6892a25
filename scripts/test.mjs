// `npm test`: install what is missing (npm packages, Debian's chromium for browser tests), build the
// web client, then run every test/**/*.test.ts on Node's built-in test runner (through tsx).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureApt, ensureFfmpeg, ensureMediasoup, ensureNpmDeps, ensureRedis, ensureWeb, root, step } from './ensure.mjs';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length ? only.map((f) => path.resolve(f)) : findTests(path.join(root, 'test'))).sort();
ensureNpmDeps();
await ensureMediasoup();
// Chromium for the e2e tests, and a Chinese font so that their zh-CN pages and screenshots show text
if (files.some((f) => f.includes(`${path.sep}e2e${path.sep}`))) {
  ensureApt(['chromium', 'fonts-wqy-microhei'], ['/usr/bin/chromium', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc']);
}
ensureRedis();
ensureFfmpeg();
// Optional: validates docker-compose.yml (no Docker engine is needed for `config`).
if (files.some((f) => f.endsWith('compose.test.ts'))) {
  try {
    ensureApt(['docker-compose'], ['docker-compose']);
  } catch {
    step('docker-compose could not be installed; the compose file is checked structurally only');
  }
}
await ensureWeb();
step(`running ${files.length} test files`);
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=300000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
);
process.exit(res.status ?? 1);
