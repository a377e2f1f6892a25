/** md5 of files before upload (S9): in a Web Worker, chunk by chunk, cancellable. */

export interface Md5WorkerRequest {
  blob: Blob;
}

export type Md5WorkerReply =
  | { type: 'progress'; loaded: number; total: number }
  | { type: 'done'; md5: string }
  | { type: 'error'; message: string };

const abortError = () => new DOMException('The upload was cancelled.', 'AbortError');

/** Same algorithm on the main thread, yielding between chunks: only where workers cannot start. */
async function md5InPage(blob: Blob, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<string> {
  const { default: SparkMD5 } = await import('spark-md5');
  const spark = new SparkMD5.ArrayBuffer();
  const chunk = 2 * 1024 * 1024;
  for (let offset = 0; offset < blob.size; offset += chunk) {
    if (signal?.aborted) throw abortError();
    spark.append(await blob.slice(offset, offset + chunk).arrayBuffer());
    onProgress?.(Math.min(1, (offset + chunk) / blob.size));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return spark.end();
}

/** The lower-case hex md5 of a blob; `onProgress` gets 0..1; aborting stops the worker. */
export function md5OfBlob(blob: Blob, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<string> {
  if (signal?.aborted) return Promise.reject(abortError());
  let worker: Worker;
  try {
    worker = new Worker(new URL('../workers/md5.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return md5InPage(blob, onProgress, signal);
  }
  return new Promise<string>((resolve, reject) => {
    const finish = () => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<Md5WorkerReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') onProgress?.(reply.total ? reply.loaded / reply.total : 1);
      else if (reply.type === 'done') {
        finish();
        resolve(reply.md5);
      } else {
        finish();
        reject(new Error(`Could not read the file: ${reply.message}`));
      }
    };
    worker.onerror = (event) => {
      // the worker script could not load (an old browser, a strict policy): hash in the page instead
      event.preventDefault();
      finish();
      md5InPage(blob, onProgress, signal).then(resolve, reject);
    };
    worker.postMessage({ blob } satisfies Md5WorkerRequest);
  });
}
