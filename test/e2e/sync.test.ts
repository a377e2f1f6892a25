/**
 * Catching up after being away (issue 11): `sync` answers at most one page of messages with
 * `more: true` when there is more, and the web client asks again from its advanced cursors until
 * `more` is false. Alice's connection is cut while Bob sends more than one page of messages; when it
 * returns, her open conversation holds every one of them, each once, after several sync requests.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { launchBrowser, openUser, type UserPage } from '../support/browser';
import { connectSocket, http, registerUser, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { createGroup, newAccount, register, sendMessage, waitForMessage } from './ui';

/** More than the server's one sync answer (SYNC_LIMIT in signaling/socket/handlers/syncHandler.ts). */
const SYNC_PAGE = 2000;
const AWAY_MESSAGES = SYNC_PAGE + 150;
const label = (i: number) => `Away ${String(i).padStart(4, '0')}`;

describe('web client: a long absence syncs in page after page', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bob: TestUser;
  let bobSocket: TestSocket | undefined;
  let sessionid = '';
  // Alice's websocket, routed through the test so it can be cut and restored and her syncs counted
  let aliceOffline = false;
  const aliceSockets: WebSocketRoute[] = [];
  let syncRequests = 0;

  before(async () => {
    // Bob sends faster than a person could: lift the per-user message rate for this server
    [server, browser] = await Promise.all([startServer({ env: { MESSAGE_RATE: '100000' } }), launchBrowser()]);
    alice = await openUser(browser, server.url);
    await alice.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (aliceOffline) {
        void ws.close({ code: 1001, reason: 'test: offline' });
        return;
      }
      aliceSockets.push(ws);
      const toServer = ws.connectToServer();
      ws.onMessage((frame) => {
        // a Socket.IO event with an ack id: 42<id>["sync",...]
        if (typeof frame === 'string' && /^42\d+\["sync"/.test(frame)) syncRequests++;
        toServer.send(frame);
      });
      toServer.onMessage((frame) => ws.send(frame));
    });
    bob = await registerUser(server.url, 'Bob');
  });

  after(async () => {
    bobSocket?.close();
    await browser?.close();
    await server?.stop();
  });

  test('every message sent while away arrives, each once', async () => {
    const { page } = alice;
    await register(page, newAccount('Alice'));
    sessionid = await createGroup(page, `Long trip ${Date.now().toString(36)}`);
    const joined = await http(server.url, 'POST', `/api/sessions/${sessionid}/join`, { token: bob.token });
    assert.equal(joined.status, 200);
    await sendMessage(page, 'See you in a while');

    aliceOffline = true;
    for (const ws of aliceSockets.splice(0)) await ws.close({ code: 1006, reason: 'test: network lost' });
    await page.getByTestId('connection-banner').waitFor();

    const token = await sessionToken(server.url, bob, sessionid);
    bobSocket = await connectSocket(server.url, bob.token);
    for (let start = 1; start <= AWAY_MESSAGES; start += 100) {
      const batch = [];
      for (let i = start; i < start + 100 && i <= AWAY_MESSAGES; i++) {
        batch.push(bobSocket.timeout(20_000).emitWithAck('message:send', { sessionToken: token, msgtype: 0, msg: label(i), uuid: randomUUID() }));
      }
      for (const ack of await Promise.all(batch)) assert.ok(!('error' in ack), JSON.stringify(ack));
    }
    const before = syncRequests;

    aliceOffline = false;
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 45_000 });
    await page.getByTestId('message').filter({ hasText: label(AWAY_MESSAGES) }).waitFor({ timeout: 60_000 });
    await waitForMessage(page, label(1));
    const away = page.getByTestId('message-text').filter({ hasText: /^Away \d{4}$/ });
    assert.equal(await away.count(), AWAY_MESSAGES, 'every message sent while away, each once');
    assert.ok(syncRequests - before >= 2, `more than one sync request (${syncRequests - before})`);
    assert.deepEqual(alice.pageErrors, []);
  });
});
