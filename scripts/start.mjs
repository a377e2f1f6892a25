// `npm start`: install what is missing, build the web client and the server if stale, run the node
// compiled (build/server/main.js: plain node in every process, no TypeScript compiler at run time;
// all arguments pass through).
import { spawn } from 'node:child_process';
import { ensureFfmpeg, ensureMediasoup, ensureNpmDeps, ensureRedis, ensureServerBuild, ensureWeb, root, step } from './ensure.mjs';

ensureNpmDeps();
ensureRedis();
ensureFfmpeg();
await ensureMediasoup();
await ensureWeb();
const entry = await ensureServerBuild();
step('starting CookIM');
// --enable-source-maps: stack traces name the TypeScript files (cluster workers inherit the flag).
const child = spawn(process.execPath, ['--enable-source-maps', entry, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
