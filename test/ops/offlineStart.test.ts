/**
 * A start on a machine where mongodb-memory-server cannot download a mongod (no internet) logs one
 * line about it, not the library's retries and stack trace. The unreachable download is real: the
 * library's own MONGOMS_DOWNLOAD_URL setting points at a closed loopback port, with an empty
 * download directory so that no cached binary is used.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, freshDataDir, startServer } from '../support/server';

test('without a reachable mongod download the start logs one line and no stack trace', async () => {
  const closedPort = await freePort();
  const server = await startServer({
    env: {
      COOKIM_SKIP_MEMORY_SERVER: '',
      MONGOMS_DOWNLOAD_URL: `http://127.0.0.1:${closedPort}/linux/mongodb-linux-x86_64-debian12-7.0.24.tgz`,
      MONGOMS_DOWNLOAD_DIR: freshDataDir('cookim-mongoms'),
      MONGOMS_MAX_RETRIES: '1',
    },
  });
  assert.equal(server.listening.db, 'devmongo');
  await server.stop();
  const logFile = readdirSync(server.dataDir).find((f) => /^server-\d+\.log$/.test(f))!;
  const log = readFileSync(path.join(server.dataDir, logFile), 'utf8');
  const lines = log.split('\n').filter(Boolean);
  const aboutDownload = lines.filter((l) => /mongodb-memory-server|MongoMemoryServer|download/i.test(l));
  assert.equal(aboutDownload.length, 1, aboutDownload.join('\n'));
  const entry = JSON.parse(aboutDownload[0]) as { msg: string; reason: string };
  assert.match(entry.msg, /cannot download a mongod here/);
  assert.match(entry.reason, /ECONNREFUSED/);
  // Every line the node printed is a JSON log entry: no stack trace, no library console output.
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a log entry: ${line}`);
});
