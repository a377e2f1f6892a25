/**
 * Security headers (issue 10, finding 8) on the page, its assets and the API: CSP with
 * frame-ancestors 'none', X-Frame-Options, nosniff, Referrer-Policy, COOP/CORP; no HSTS over plain
 * HTTP, nor when X-Forwarded-Proto comes from a proxy TRUST_PROXY does not name. Served files keep
 * their own sandboxing CSP; HLS stays loadable by players on other origins.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { rawRequest, type RawResponse } from './rawHttp';
import { upload } from '../support/files';

const dist = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web/dist');
let server: RunningServer;

before(async () => {
  server = await startServer();
});
after(() => server.stop());

function directives(res: RawResponse): Map<string, string[]> {
  const csp = String(res.headers['content-security-policy'] ?? '');
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

function assertAppHeaders(res: RawResponse, what: string): void {
  const csp = directives(res);
  assert.ok(csp.size > 0, `${what}: a Content-Security-Policy`);
  assert.deepEqual(csp.get('script-src'), ["'self'"], `${what}: scripts from the app's origin only (no inline, no eval)`);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], what);
  assert.deepEqual(csp.get('object-src'), ["'none'"], what);
  assert.ok(csp.get('default-src')?.every((v) => v === "'self'"), what);
  for (const [name, values] of csp) {
    assert.ok(!values.includes("'unsafe-eval'"), `${what}: ${name} without 'unsafe-eval'`);
    assert.ok(!values.includes("'unsafe-inline'"), `${what}: ${name} without 'unsafe-inline'`);
    assert.ok(!values.includes('*'), `${what}: ${name} without *`);
  }
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', what);
  assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', what);
  assert.equal(res.headers['strict-transport-security'], undefined, `${what}: no HSTS over plain HTTP`);
  assert.equal(res.headers['x-powered-by'], undefined, what);
}

describe('security headers', () => {
  test('the page (/ and a client route) carries the full set', async () => {
    for (const urlPath of ['/', '/login', '/c/0123456789abcdef01234567']) {
      const res = await rawRequest(`${server.url}${urlPath}`);
      assert.equal(res.status, 200);
      assertAppHeaders(res, urlPath);
      assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
    }
  });

  test('static assets carry them too', async () => {
    const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    for (const urlPath of [script, '/manifest.webmanifest', '/icons/icon.svg']) {
      const res = await rawRequest(`${server.url}${urlPath}`, { headers: { 'accept-encoding': 'br' } });
      assert.equal(res.status, 200, urlPath);
      assertAppHeaders(res, urlPath);
    }
  });

  test("the service worker at /sw.js may run: worker-src allows 'self', and it carries the set", async () => {
    const res = await rawRequest(`${server.url}/sw.js`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.ok(directives(res).get('worker-src')?.includes("'self'"), "worker-src 'self' (service workers are checked against it)");
    assertAppHeaders(res, '/sw.js');
  });

  test('API answers, errors and operations endpoints carry them', async () => {
    const user = await registerUser(server.url, 'Headers');
    for (const [urlPath, status, headers] of [
      ['/api/me', 200, { authorization: `Bearer ${user.token}` }],
      ['/api/me', 401, {}],
      ['/api/nothing-here', 404, {}],
      ['/healthz', 200, {}],
    ] as const) {
      const res = await rawRequest(`${server.url}${urlPath}`, { headers });
      assert.equal(res.status, status, urlPath);
      assertAppHeaders(res, `${urlPath} (${status})`);
    }
  });

  test('served files keep their own sandboxing CSP, nosniff and no framing', async () => {
    const user = await registerUser(server.url, 'Files');
    const up = await upload(server.url, user.token, Buffer.from('<html><script>alert(1)</script></html>'), { name: 'x.html', type: 'text/html' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const res = await rawRequest(`${server.url}${up.body.file.url}`);
    assert.equal(res.status, 200);
    const csp = directives(res);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.ok(csp.has('sandbox'), 'file CSP sandboxes the document');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });

  test('HLS under /api/live may be loaded from other origins (CORP cross-origin)', async () => {
    const res = await rawRequest(`${server.url}/api/live/0123456789abcdef01234567/hls/badtoken/master.m3u8`);
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  test('X-Forwarded-Proto: https from an untrusted peer (TRUST_PROXY unset) adds no HSTS', async () => {
    const res = await rawRequest(`${server.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  test('a hostile Host header does not break or extend the policy', async () => {
    const res = await rawRequest(`${server.url}/`, { headers: { host: "evil.example; script-src 'unsafe-inline'" } });
    assert.equal(res.status, 200);
    assert.deepEqual(directives(res).get('script-src'), ["'self'"]);
    assert.ok(!String(res.headers['content-security-policy']).includes('evil'));
  });
});
