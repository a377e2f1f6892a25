/**
 * md5 of a Blob, computed off the main thread in chunks (a 100 MB video never sits in memory whole
 * and the page keeps responding). Protocol: post `{ blob }`; answers `progress` messages, then
 * `done` with the lower-case hex md5, or `error`.
 */
import SparkMD5 from 'spark-md5';
import type { Md5WorkerReply, Md5WorkerRequest } from '@/lib/md5';

const CHUNK_BYTES = 4 * 1024 * 1024;

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Md5WorkerRequest>) => void) | null;
  postMessage(message: Md5WorkerReply): void;
};

scope.onmessage = async (event) => {
  const { blob } = event.data;
  const spark = new SparkMD5.ArrayBuffer();
  try {
    for (let offset = 0; offset < blob.size; offset += CHUNK_BYTES) {
      spark.append(await blob.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
      scope.postMessage({ type: 'progress', loaded: Math.min(blob.size, offset + CHUNK_BYTES), total: blob.size });
    }
    scope.postMessage({ type: 'done', md5: spark.end() });
  } catch (error) {
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
