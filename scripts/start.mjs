// `npm start`: install what is missing, build the web client if stale, run the node (all arguments pass through).
import { spawn } from 'node:child_process';
import { ensureFfmpeg, ensureMediasoup, ensureNpmDeps, ensureRedis, ensureWeb, root, step } from './ensure.mjs';

ensureNpmDeps();
ensureRedis();
ensureFfmpeg();
await ensureMediasoup();
await ensureWeb();
step('starting CookIM');
const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
