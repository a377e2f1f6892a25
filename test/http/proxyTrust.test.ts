/**
 * TRUST_PROXY (issue 10, finding 8; PROTOCOL.md "Operations"): X-Forwarded-For and -Proto are
 * believed only from the proxies it names. Unset, a client on loopback cannot pose as many clients
 * to escape the per-address registration limit, nor turn on HSTS; with TRUST_PROXY=loopback the
 * proxy's word decides both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseTrustProxy, trustFn, clientAddress } from '../../signaling/net/proxyTrust';
import { startServer, type RunningServer } from '../support/server';
import { rawRequest } from './rawHttp';

const PER_MINUTE = 3;
let seq = 0;

function register(server: RunningServer, forwardedFor?: string) {
  const body = JSON.stringify({ login: `proxy${Date.now().toString(36)}${seq++}@example.test`, nickname: 'Proxy', password: 'correct horse battery' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  return rawRequest(`${server.url}/api/users`, { method: 'POST', body, headers });
}

describe('TRUST_PROXY unset', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { AUTH_RATE_PER_MINUTE: String(PER_MINUTE) } });
  });
  after(() => server.stop());

  test('X-Forwarded-For from loopback does not split the registration limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 2; i++) statuses.push((await register(server, `198.51.100.${i + 1}`)).status);
    assert.deepEqual(statuses, [...Array(PER_MINUTE).fill(201), 429, 429]);
  });

  test('X-Forwarded-Proto: https does not turn on HSTS', async () => {
    const res = await rawRequest(`${server.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.headers['strict-transport-security'], undefined);
  });
});

describe('TRUST_PROXY=loopback', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { AUTH_RATE_PER_MINUTE: String(PER_MINUTE), TRUST_PROXY: 'loopback' } });
  });
  after(() => server.stop());

  test("the proxy's X-Forwarded-For is the address the limit counts", async () => {
    // different clients behind the proxy: each has its own allowance
    for (let i = 0; i < PER_MINUTE + 2; i++) assert.equal((await register(server, `198.51.100.${i + 1}`)).status, 201);
    // one client: limited like any other
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 1; i++) statuses.push((await register(server, '203.0.113.9')).status);
    assert.deepEqual(statuses, [...Array(PER_MINUTE).fill(201), 429]);
    // a client cannot escape by prepending its own X-Forwarded-For entry: the proxy appends the real one
    assert.equal((await register(server, '192.0.2.77, 203.0.113.9')).status, 429);
  });

  test('HSTS only when the proxy says the request came over TLS', async () => {
    const tls = await rawRequest(`${server.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(String(tls.headers['strict-transport-security']), /^max-age=\d{7,}/);
    const api = await rawRequest(`${server.url}/api/me`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(String(api.headers['strict-transport-security']), /max-age=/);
    const plain = await rawRequest(`${server.url}/`, { headers: { 'x-forwarded-proto': 'http' } });
    assert.equal(plain.headers['strict-transport-security'], undefined);
    const none = await rawRequest(`${server.url}/`);
    assert.equal(none.headers['strict-transport-security'], undefined);
  });
});

describe('the TRUST_PROXY setting', () => {
  const req = (remoteAddress: string, xff?: string) =>
    ({ socket: { remoteAddress }, connection: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as never;

  test('parses express trust values and refuses what would trust anyone or is not an address', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy(''), false);
    assert.equal(parseTrustProxy('off'), false);
    assert.equal(parseTrustProxy('2'), 2);
    assert.deepEqual(parseTrustProxy('loopback, 10.0.0.0/8'), ['loopback', '10.0.0.0/8']);
    assert.throws(() => parseTrustProxy('true'), /TRUST_PROXY/);
    assert.throws(() => parseTrustProxy('not-an-address'), /TRUST_PROXY/);
  });

  test('the address rule for Socket.IO handshakes matches express', () => {
    assert.equal(clientAddress(req('127.0.0.1', '198.51.100.1'), false), '127.0.0.1');
    assert.equal(clientAddress(req('127.0.0.1', '198.51.100.1'), ['loopback']), '198.51.100.1');
    assert.equal(clientAddress(req('192.0.2.1', '198.51.100.1'), ['loopback']), '192.0.2.1');
    assert.equal(clientAddress(req('127.0.0.1', '198.51.100.1, 10.0.0.2'), 1), '10.0.0.2');
    assert.equal(trustFn(false)('127.0.0.1', 0), false);
  });
});
