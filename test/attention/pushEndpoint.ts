/**
 * A push service stand-in for tests (issue 13): an HTTP server that takes Web Push requests, and a
 * browser-side subscription whose keys decrypt what arrives (RFC 8291, `aes128gcm`, RFC 8188),
 * with node's crypto: ECDH on P-256 and HKDF-SHA-256.
 */
import { createDecipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A browser's side of a subscription: its endpoint and the keys only it holds. */
export class TestSubscription {
  private readonly ecdh: ECDH = createECDH('prime256v1');
  private readonly authSecret = randomBytes(16);

  constructor(readonly endpoint: string) {
    this.ecdh.generateKeys();
  }

  /** What PushSubscription.toJSON() gives, as POST /api/push/subscriptions takes it. */
  toJSON() {
    return { endpoint: this.endpoint, keys: { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.authSecret.toString('base64url') } };
  }

  /** The plaintext of an `aes128gcm` body encrypted for this subscription. */
  decrypt(body: Buffer): string {
    // Header (RFC 8188 section 2.1): salt(16) | record size(4) | idlen(1) | keyid (the sender's public key).
    const salt = body.subarray(0, 16);
    const idlen = body[20];
    const senderPublic = body.subarray(21, 21 + idlen);
    const ciphertext = body.subarray(21 + idlen);
    const uaPublic = this.ecdh.getPublicKey();
    const shared = this.ecdh.computeSecret(senderPublic);
    // RFC 8291 section 3.4: IKM from the ECDH secret and the auth secret, bound to both public keys.
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, senderPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, this.authSecret, keyInfo, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
    // The last record ends with the delimiter 0x02, then zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('not the last record of an aes128gcm body');
    return padded.subarray(0, end).toString('utf8');
  }
}

/** The push service: records every request; answers 201, or the status set for a path. */
export class TestPushService {
  readonly received: ReceivedPush[] = [];
  private readonly statusOf = new Map<string, number>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TestPushService> {
    let service: TestPushService | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        service!.received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(service!.statusOf.get(path) ?? 201).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    service = new TestPushService(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return service;
  }

  subscription(path: string, status?: number): TestSubscription {
    if (status !== undefined) this.statusOf.set(path, status);
    return new TestSubscription(`${this.url}${path}`);
  }

  to(path: string): ReceivedPush[] {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
