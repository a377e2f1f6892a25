// `npm run bench -- <name> [args]`: runs bench/<name>.ts, which prints JSON lines of figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureApt, ensureFfmpeg, ensureNpmDeps, ensureRedis, ensureWeb, root } from './ensure.mjs';

const [name, ...args] = process.argv.slice(2);
const benches = readdirSync(path.join(root, 'bench')).filter((f) => /^[a-z0-9-]+\.ts$/.test(f)).map((f) => f.slice(0, -3));
const file = name && path.join(root, 'bench', `${name}.ts`);
if (!file || !existsSync(file)) {
  console.error(`usage: npm run bench -- <name>   (one of: ${benches.join(', ')})`);
  process.exit(2);
}
ensureNpmDeps();
if (name === 'chat' || name === 'connections') ensureRedis();
// The HLS bench plays the stream in the product's viewer page, in Chromium.
if (name === 'hls') {
  ensureRedis();
  ensureFfmpeg();
  ensureApt(['chromium'], ['/usr/bin/chromium']);
  await ensureWeb();
}
const res = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: 'inherit' });
process.exit(res.status ?? 1);
