/**
 * The web client's one request error (web/src/lib/requestError.ts): what the server says about
 * retrying wins; without it, no answer, 5xx, 408, 429 and the rate-limit/unavailable codes are
 * retryable and every other refusal is final. No browser needed: the module is plain TypeScript.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRetryable, isUnanswered, NoAnswer, RequestError } from '../../web/src/lib/requestError';

describe('web RequestError: the retryable decision', () => {
  test('no answer at all is retryable and unanswered', () => {
    for (const code of Object.values(NoAnswer)) {
      const error = new RequestError({ code, message: 'no answer' });
      assert.equal(error.retryable, true, code);
      assert.equal(error.unanswered, true, code);
      assert.equal(error.status, 0);
      assert.equal(isUnanswered(error), true);
    }
  });

  test('server trouble and limits are retryable, refusals are not', () => {
    const cases: [code: string, status: number, retryable: boolean][] = [
      ['internal_error', 500, true],
      ['unavailable', 503, true],
      ['http_502', 502, true],
      ['http_408', 408, true],
      ['rate_limited', 429, true],
      ['rate_limited', 0, true],
      ['unavailable', 0, true],
      ['media_unavailable', 0, false],
      ['invalid_input', 400, false],
      ['token_expired', 401, false],
      ['not_member', 403, false],
      ['session_not_found', 404, false],
      ['already_live', 409, false],
      ['too_large', 413, false],
      ['not_member', 0, false],
      ['internal_error', 0, false],
    ];
    for (const [code, status, retryable] of cases) {
      const error = new RequestError({ code, message: code, status });
      assert.equal(error.retryable, retryable, `${code} ${status}`);
      assert.equal(error.unanswered, false);
      assert.equal(isRetryable(error), retryable);
    }
  });

  test("the server's own retryable field wins over the derived answer", () => {
    const said = RequestError.fromAnswer({ error: { code: 'not_online', message: 'later', retryable: true } }, 409, 'x');
    assert.equal(said.retryable, true);
    const denied = RequestError.fromAnswer({ error: { code: 'unavailable', message: 'no', retryable: false } }, 503, 'x');
    assert.equal(denied.retryable, false);
  });

  test('an error body gives code and message; anything else the status and the fallback text', () => {
    const answered = RequestError.fromAnswer({ error: { code: 'not_member', message: 'not a member' } }, 403, 'fallback');
    assert.deepEqual([answered.code, answered.message, answered.status, answered.retryable], ['not_member', 'not a member', 403, false]);
    assert.ok(answered instanceof Error);
    const bare = RequestError.fromAnswer('<html>bad gateway</html>', 502, 'Request failed (502)');
    assert.deepEqual([bare.code, bare.message, bare.status, bare.retryable], ['http_502', 'Request failed (502)', 502, true]);
  });

  test('a fetch or lazy import without a network is retryable; other errors are not', () => {
    assert.equal(isRetryable(new TypeError('Failed to fetch')), true);
    assert.equal(isRetryable(new TypeError('Failed to fetch dynamically imported module')), true);
    assert.equal(isRetryable(new TypeError('x is not a function')), false);
    assert.equal(isRetryable(new Error('boom')), false);
    assert.equal(isUnanswered(new Error('boom')), false);
  });
});
