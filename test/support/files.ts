/** Upload helpers for the file tests: multipart over real HTTP, md5s, generated images, the server's database. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Database } from '../../storage/Database';
import type { HttpResult } from './client';
import type { RunningServer } from './server';

export const md5 = (bytes: Buffer | string): string => createHash('md5').update(bytes).digest('hex');

export interface UploadOptions {
  name?: string;
  type?: string;
  /** The md5 to send; the true one by default; null sends none. */
  md5?: string | null;
  /** Put the md5 field after the file part. */
  md5After?: boolean;
  /** Send the md5 as ?md5= instead of a form field. */
  md5InQuery?: boolean;
  msgtype?: number;
  path?: string;
}

export async function upload(baseUrl: string, token: string, bytes: Buffer, options: UploadOptions = {}): Promise<HttpResult> {
  const sum = options.md5 === undefined ? md5(bytes) : options.md5;
  const form = new FormData();
  const addMd5 = () => sum !== null && !options.md5InQuery && form.append('md5', sum);
  if (!options.md5After) addMd5();
  if (options.msgtype !== undefined) form.append('msgtype', String(options.msgtype));
  form.append('file', new Blob([new Uint8Array(bytes)], { type: options.type ?? 'application/octet-stream' }), options.name ?? 'file.bin');
  if (options.md5After) addMd5();
  const query = options.md5InQuery && sum ? `?md5=${sum}` : '';
  const res = await fetch(`${baseUrl}${options.path ?? '/api/files'}${query}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

/** GET a URL as bytes (optionally with a token and extra headers). */
export async function fetchBytes(baseUrl: string, url: string, options: { token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${baseUrl}${url}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    /* binary */
  }
  return { status: res.status, headers: res.headers, bytes, json };
}

export function jpeg(width: number, height: number, orientation?: number): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg({ quality: 80 });
  return (orientation ? image.withMetadata({ orientation }) : image).toBuffer();
}

/** Distinct random bytes (never deduplicated against other tests). */
export function randomBytesOf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
  return bytes;
}

/** Every regular file under a directory (relative paths). */
export function listFiles(dir: string, base = dir): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]));
}

/** The database the server uses (MONGO_URL, or the development server it started in its data directory). */
export async function serverDatabase(server: RunningServer, dbName: string): Promise<Database> {
  const url =
    process.env.MONGO_URL ??
    `mongodb://127.0.0.1:${JSON.parse(readFileSync(path.join(server.dataDir, 'devmongo', 'server.json'), 'utf8')).port}/?directConnection=true`;
  return Database.connect({ url, dbName, onlineTtlSeconds: 60 });
}
