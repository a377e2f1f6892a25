/**
 * The web client's one error for a failed request, over HTTP or a socket ack: PROTOCOL.md's error
 * code and message, the HTTP status when there was one, and whether trying again may succeed.
 */
// a relative path, not '@protocol': the unit tests run this file through tsx, which knows no alias
import { ErrorCode, isErrorBody } from '../../../signaling/protocol/errors';

/** Codes the client gives itself when no answer came at all. */
export const NoAnswer = {
  /** fetch or XMLHttpRequest could not reach the server. */
  Network: 'network_error',
  /** The socket is not connected. */
  Offline: 'offline',
  /** The socket is connected but the ack did not come in time. */
  Timeout: 'timeout',
} as const;

const noAnswerCodes = new Set<string>(Object.values(NoAnswer));
/**
 * A rate limit or a dependency that is down: later may work. (`media_unavailable` is not here: the
 * server sends it for lost media state too, and says `retryable` itself when waiting helps.)
 */
const retryableCodes = new Set<string>([ErrorCode.RateLimited, ErrorCode.Unavailable]);

export interface RequestErrorInit {
  code: string;
  message: string;
  /** The HTTP status; 0 or absent when there was none (a socket answer, or no answer). */
  status?: number;
  /** What the server said; absent: derived from the code and status. */
  retryable?: boolean;
}

/** Whether a failure with this code and status may succeed when tried again, when the server did not say. */
export function derivedRetryable(code: string, status: number): boolean {
  if (noAnswerCodes.has(code) || retryableCodes.has(code)) return true;
  return status === 408 || status === 429 || status >= 500;
}

export class RequestError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;

  constructor({ code, message, status = 0, retryable }: RequestErrorInit) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.status = status;
    this.retryable = retryable ?? derivedRetryable(code, status);
  }

  /** No answer came (no network, not connected, timed out): a local copy may stand in. */
  get unanswered(): boolean {
    return noAnswerCodes.has(this.code);
  }

  /** A failed answer: PROTOCOL.md's `{ error }` body if it is one, else the status alone. */
  static fromAnswer(body: unknown, status: number, fallback: string): RequestError {
    if (!isErrorBody(body)) return new RequestError({ code: `http_${status}`, message: fallback, status });
    const { code, message, retryable } = body.error;
    // the server sends `retryable` only when true: when absent, the code and status decide
    return new RequestError({ code, message, status, ...(retryable !== undefined ? { retryable } : {}) });
  }
}

/** A failure that may pass when tried again: a retryable RequestError, or a fetch/lazy import without a network. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RequestError) return error.retryable;
  return error instanceof TypeError && /fetch|import/i.test(error.message);
}

/** A failure for which no answer came (no network, offline, timed out). */
export function isUnanswered(error: unknown): boolean {
  return error instanceof RequestError && error.unanswered;
}
