import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { DomainError, InvalidRequestError, TooLargeError } from '../errors/DomainError';

export interface ReceivedUpload {
  /** The bytes, in a temporary file the caller owns (moves or removes). */
  tempFile: string;
  size: number;
  /** md5 of what arrived, lower-case hex (the client's integrity check). */
  md5: string;
  /** sha256 of what arrived, lower-case hex (what stored content is keyed by: md5 collisions exist). */
  sha256: string;
  /** The name the client gave (unsanitized: display only, never a path). */
  clientName: string;
  /** The MIME type the client declared for the part (a claim, not trusted). */
  declaredMime: string;
  /** The form's text fields, in whatever order they came (before or after the file). */
  fields: Record<string, string>;
}

export interface ReceiveOptions {
  tempFile: string;
  maxBytes: number;
  /** The multipart field that carries the file. */
  fileField?: string;
}

/** Multipart framing around one file is small; a declared length beyond this over the limit is refused at once. */
const FRAMING_ALLOWANCE = 64 * 1024;

/** Hashes what passes through (md5 and sha256) and counts it. */
class HashCounter extends Transform {
  readonly md5 = createHash('md5');
  readonly sha256 = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export function tooLarge(maxBytes: number): TooLargeError {
  return new TooLargeError(`a file holds at most ${maxBytes} bytes`);
}

/**
 * Streams a multipart upload's file to a temporary file, hashing it on the way (never the whole file
 * in memory). Settles once the whole request is read: with the upload, or with a DomainError (no file,
 * too large, broken form, client gone), in which case the temporary file is already removed. Beyond
 * `maxBytes` it stops at once: the request is no longer read and the partial file is removed.
 */
export function receiveUpload(req: IncomingMessage, options: ReceiveOptions): Promise<ReceivedUpload> {
  const { tempFile, maxBytes } = options;
  const fileField = options.fileField ?? 'file';
  const declaredLength = Number(req.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes + FRAMING_ALLOWANCE) return Promise.reject(tooLarge(maxBytes));
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: 1, fileSize: maxBytes + 1, fields: 20, fieldSize: 4096, parts: 24, headerPairs: 50 },
      defParamCharset: 'utf8',
    });
  } catch {
    return Promise.reject(new InvalidRequestError(`send multipart/form-data with the file in the "${fileField}" field`));
  }

  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: { stream: Readable; done: Promise<void>; counter: HashCounter; clientName: string; declaredMime: string } | null = null;
    let settled = false;
    let parsed = false;

    const fail = (error: DomainError, stopReading: boolean) => {
      if (settled) return;
      settled = true;
      if (stopReading) {
        // Nothing more is parsed or written; the route answers with `Connection: close`.
        req.unpipe(parser);
        parser.removeAllListeners('file');
        // The part will never end now (its bytes stopped coming): end its write at once, or the
        // pipeline (and the caller's upload slot) would wait forever.
        file?.stream.destroy();
      }
      // The temporary file goes once its writer has let go of it.
      const written = file?.done ?? Promise.resolve();
      void written.catch(() => undefined).then(() => unlink(tempFile).catch(() => undefined)).then(() => reject(error));
    };

    parser.on('field', (name, value, info) => {
      if (!info.valueTruncated && !(name in fields)) fields[name] = value;
    });

    parser.on('file', (name, stream, info) => {
      if (name !== fileField || file) {
        stream.resume();
        return;
      }
      const counter = new HashCounter();
      stream.on('limit', () => {
        stream.unpipe(counter);
        counter.destroy();
        stream.resume();
        fail(tooLarge(maxBytes), true);
      });
      const done = pipeline(stream, counter, createWriteStream(tempFile, { flags: 'wx', mode: 0o600 }));
      file = { stream, done, counter, clientName: info.filename ?? '', declaredMime: info.mimeType ?? '' };
      done.catch((err) => {
        if (!settled) fail(new InvalidRequestError(`the upload was cut off (${(err as Error).message})`), true);
      });
    });

    parser.on('error', (err) => fail(new InvalidRequestError(`malformed multipart body: ${(err as Error).message}`), true));

    parser.on('close', () => {
      parsed = true;
      if (settled) return;
      if (!file) {
        fail(new InvalidRequestError(`no file: send it in the "${fileField}" field`), false);
        return;
      }
      const current = file;
      current.done.then(
        () => {
          if (settled) return;
          settled = true;
          resolve({
            tempFile,
            size: current.counter.bytes,
            md5: current.counter.md5.digest('hex'),
            sha256: current.counter.sha256.digest('hex'),
            clientName: current.clientName,
            declaredMime: current.declaredMime,
            fields,
          });
        },
        () => undefined,
      );
    });

    req.on('close', () => {
      if (!parsed && !req.complete) fail(new InvalidRequestError('the client went away during the upload'), true);
    });

    req.pipe(parser);
  });
}
