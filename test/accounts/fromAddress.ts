/** JSON over HTTP from a chosen local address (127.0.0.x), to play clients at different addresses. */
import { request } from 'node:http';

export interface AddressedResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export function httpFrom(localAddress: string, baseUrl: string, method: string, path: string, body?: unknown): Promise<AddressedResult> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} from ${localAddress}: no answer`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
