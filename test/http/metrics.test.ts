/**
 * /metrics (issue 10, finding 11; PROTOCOL.md "Operations"): readable with
 * `Authorization: Bearer <METRICS_TOKEN>` or from an address in METRICS_ALLOW (loopback by
 * default); anyone else gets 401/403 in the error shape. The client address follows TRUST_PROXY,
 * so X-Forwarded-For through a trusted loopback proxy stands for a remote client here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../support/server';
import { rawRequest } from './rawHttp';

const TOKEN = 'metrics-test-token-0123456789';
const REMOTE = '203.0.113.50';

const metrics = (server: RunningServer, headers: Record<string, string> = {}) => rawRequest(`${server.url}/metrics`, { headers });
const isPrometheus = (text: string) => /^# HELP /m.test(text) && text.includes('cookim_');

describe('METRICS_TOKEN with the default allow-list (loopback), behind a loopback proxy', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { METRICS_TOKEN: TOKEN, TRUST_PROXY: 'loopback' } });
  });
  after(() => server.stop());

  test('a loopback client reads the metrics without a token', async () => {
    const res = await metrics(server);
    assert.equal(res.status, 200);
    assert.ok(isPrometheus(res.body.toString()));
  });

  test('a remote client without a token or with a wrong one gets 401 in the error shape', async () => {
    for (const auth of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN]) {
      const res = await metrics(server, { 'x-forwarded-for': REMOTE, ...(auth ? { authorization: auth } : {}) });
      assert.equal(res.status, 401, `authorization ${auth}`);
      assert.equal(res.json?.error?.code, 'unauthorized');
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      assert.ok(!res.body.toString().includes('cookim_'), 'no metric leaks in the refusal');
    }
  });

  test('a remote client with the token reads them', async () => {
    const res = await metrics(server, { 'x-forwarded-for': REMOTE, authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200);
    assert.ok(isPrometheus(res.body.toString()));
  });

  test('health checks stay open', async () => {
    assert.equal((await rawRequest(`${server.url}/healthz`, { headers: { 'x-forwarded-for': REMOTE } })).status, 200);
  });
});

describe('METRICS_ALLOW without a token', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { METRICS_ALLOW: '10.0.0.0/8', TRUST_PROXY: 'loopback' } });
  });
  after(() => server.stop());

  test('an address in the list reads the metrics', async () => {
    const res = await metrics(server, { 'x-forwarded-for': '10.1.2.3' });
    assert.equal(res.status, 200);
    assert.ok(isPrometheus(res.body.toString()));
  });

  test('others, loopback included when not listed, get 403 in the error shape', async () => {
    for (const headers of [{}, { 'x-forwarded-for': REMOTE }, { 'x-forwarded-for': '10.1.2.3, 203.0.113.7' }, { authorization: 'Bearer anything' }] as Record<string, string>[]) {
      const res = await metrics(server, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(res.json?.error?.code, 'forbidden');
    }
  });
});

describe('defaults: no token, loopback only, no proxy trusted', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  test('loopback reads them, and a forged X-Forwarded-For changes nothing', async () => {
    assert.equal((await metrics(server)).status, 200);
    assert.equal((await metrics(server, { 'x-forwarded-for': REMOTE })).status, 200);
  });
});
