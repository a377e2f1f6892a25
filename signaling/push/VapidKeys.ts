import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import webpush from 'web-push';
import type { Config } from '../config';

interface StoredKeys {
  publicKey: string;
  privateKey: string;
}

/** Where generated keys are kept, under DATA_DIR. */
const KEY_FILE = 'vapid.json';

/**
 * The server's VAPID identity (RFC 8292) for Web Push (issue 13): VAPID_PUBLIC_KEY and
 * VAPID_PRIVATE_KEY when set, otherwise a pair generated once and kept in DATA_DIR, so every
 * process and restart signs with the same key and browsers' subscriptions stay valid.
 */
export class VapidKeys {
  private constructor(
    readonly publicKey: string,
    readonly privateKey: string,
    readonly subject: string,
  ) {}

  static async load(config: Pick<Config, 'dataDir' | 'vapidPublicKey' | 'vapidPrivateKey' | 'vapidSubject'>, logger: Logger): Promise<VapidKeys> {
    let keys: StoredKeys;
    if (config.vapidPublicKey && config.vapidPrivateKey) {
      keys = { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey };
    } else {
      if (config.vapidPublicKey || config.vapidPrivateKey) logger.warn('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together; using the keys in DATA_DIR');
      keys = await keysInDataDir(config.dataDir, logger);
    }
    // Refuses malformed keys and subjects now rather than at the first push.
    webpush.getVapidHeaders('https://push.invalid', config.vapidSubject, keys.publicKey, keys.privateKey, 'aes128gcm');
    return new VapidKeys(keys.publicKey, keys.privateKey, config.vapidSubject);
  }

  /** web-push's `vapidDetails` option. */
  details(): { subject: string; publicKey: string; privateKey: string } {
    return { subject: this.subject, publicKey: this.publicKey, privateKey: this.privateKey };
  }
}

/**
 * The pair in DATA_DIR, made by the first process that needs it. The file is written aside and
 * hard-linked into place, which fails if it exists: processes starting together all end up with the
 * winner's complete file.
 */
async function keysInDataDir(dataDir: string, logger: Logger): Promise<StoredKeys> {
  const file = path.join(dataDir, KEY_FILE);
  const existing = await readKeys(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const fresh = webpush.generateVAPIDKeys();
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify({ publicKey: fresh.publicKey, privateKey: fresh.privateKey }), { mode: 0o600 });
  try {
    await link(temp, file);
    logger.info({ file }, 'generated the Web Push (VAPID) keys');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const kept = await readKeys(file);
  if (!kept) throw new Error(`${file}: not a VAPID key pair`);
  return kept;
}

async function readKeys(file: string): Promise<StoredKeys | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<StoredKeys>;
  if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') throw new Error(`${file}: not a VAPID key pair`);
  return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
}
