/** File uploads (S9, S20): find already-stored bytes by md5, upload with progress, pick the msgtype. */
import { MsgType, type FileInfo, type FileKind } from '@protocol';
import { api, apiUpload } from './api';
import { RequestError } from './requestError';

/** Runs at most `size` tasks at once; the rest wait their turn in order. */
export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** The server takes a few uploads per user at a time (429 beyond): queue the rest here. */
export const uploadSlots = new Slots(2);
export const hashSlots = new Slots(2);

/**
 * The stored file with these bytes, or null when there is none this user may use already (then
 * upload): the server answers 404 alike for bytes it does not have and for someone else's file.
 */
export async function findFileByMd5(md5: string): Promise<FileInfo | null> {
  try {
    const { file } = await api<{ file: FileInfo }>(`/files/by-md5/${md5}`);
    return file;
  } catch (error) {
    if (error instanceof RequestError && error.status === 404) return null;
    throw error;
  }
}

export interface UploadBlobOptions {
  /** What the file will be sent as (1 image, 2 voice, 3 video, 4 any file): the server checks the content fits. */
  intent?: MsgType;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** POST /api/files: the md5 field goes before the file part, so the server can check as it reads. */
export async function uploadBlob(blob: Blob, name: string, md5: string, options: UploadBlobOptions = {}): Promise<FileInfo> {
  const form = new FormData();
  form.append('md5', md5);
  if (options.intent !== undefined) form.append('msgtype', String(options.intent));
  form.append('file', blob, name);
  // a refusal keeps its code: the client says it in the user's words (quota_exceeded: storage full)
  const { file } = await apiUpload<{ file: FileInfo }>('/files', form, {
    query: { md5 },
    signal: options.signal,
    onProgress: (loaded, total) => options.onProgress?.(total ? loaded / total : 0),
  });
  return file;
}

/** What the server detected (`kind`, else the MIME family) decides the message type. */
export function msgTypeForFile(file: Pick<FileInfo, 'filetype' | 'kind'>): MsgType {
  const kind = file.kind ?? kindOfMime(file.filetype);
  return kind === 'image' ? MsgType.Image : kind === 'audio' ? MsgType.Voice : kind === 'video' ? MsgType.Video : MsgType.File;
}

/** A local guess from the browser's MIME type, for previews before the server has answered. */
export function kindOfMime(mime: string): FileKind {
  if (/^image\/(jpeg|png|gif|webp|avif)$/.test(mime)) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'file';
}

// Formatting lives with the other formatters; re-exported for the components that import it from here.
export { formatBytes, formatDuration } from './format';

/** The extension a file name ends with, lower case, without the dot ('' when none). */
export function extensionOf(name: string): string {
  const match = /\.([a-z0-9]{1,8})$/i.exec(name);
  return match ? match[1]!.toLowerCase() : '';
}
