/** Thin fetch wrapper for the REST API: JSON in and out, bearer token, failures as RequestError. */
import { describeError } from '@/i18n/errorText';
import { NoAnswer, RequestError } from './requestError';

export { RequestError } from './requestError';

type TokenGetter = () => string | null;
type UnauthorizedHandler = (code: string) => void;

let getToken: TokenGetter = () => null;
let onUnauthorized: UnauthorizedHandler = () => {};

/** Wired once by the auth store, so this module does not import it (no cycle). */
export function configureApi(tokenGetter: TokenGetter, unauthorized: UnauthorizedHandler): void {
  getToken = tokenGetter;
  onUnauthorized = unauthorized;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Use this bearer instead of the stored user token (session tokens). */
  token?: string;
  /** Do not treat a 401 as "logged out" (the login form itself). */
  anonymous?: boolean;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const url = new URL(`/api${path}`, window.location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = options.token ?? (options.anonymous ? null : getToken());
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
  } catch {
    throw new RequestError({ code: NoAnswer.Network, message: 'Cannot reach the server. Check your connection.' });
  }

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const error = RequestError.fromAnswer(data, response.status, `Request failed (${response.status})`);
    if (response.status === 401 && !options.anonymous) onUnauthorized(error.code);
    throw error;
  }
  return data as T;
}

export interface UploadOptions {
  query?: Record<string, string | undefined>;
  /** Called as bytes leave the browser (loaded and total of the whole request body). */
  onProgress?: (loaded: number, total: number) => void;
  /** Aborting cancels the request (xhr.abort) and rejects with an AbortError. */
  signal?: AbortSignal;
}

/**
 * POSTs a multipart form with XMLHttpRequest (fetch cannot report upload progress), with the user's
 * bearer token; JSON answers and `{ error }` bodies are handled as `api()` does.
 */
export function apiUpload<T>(path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const url = new URL(`/api${path}`, window.location.origin);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    const token = getToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'text';
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    if (options.onProgress) {
      const report = options.onProgress;
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) report(event.loaded, event.total);
      });
    }
    xhr.addEventListener('load', () => {
      done();
      let data: unknown = undefined;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data as T);
        return;
      }
      const error = RequestError.fromAnswer(data, xhr.status, `Upload failed (${xhr.status})`);
      if (xhr.status === 401) onUnauthorized(error.code);
      reject(error);
    });
    xhr.addEventListener('error', () => {
      done();
      reject(new RequestError({ code: NoAnswer.Network, message: 'Upload failed: cannot reach the server.' }));
    });
    xhr.addEventListener('abort', () => {
      done();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    });
    xhr.send(form);
  });
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** A failure in the user's language (the server's error codes through the catalogue). */
export function errorMessage(error: unknown): string {
  return describeError(error);
}
