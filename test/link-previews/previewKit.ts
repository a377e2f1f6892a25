/** Local pages for link preview tests, and a previewer over a test database and data directory. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { FileStore } from '../../storage/FileStore';
import { LinkPreviewStore } from '../../storage/LinkPreviewStore';
import { Thumbnailer } from '../../signaling/files/Thumbnailer';
import { LinkPreviewer } from '../../signaling/link-previews/LinkPreviewer';
import type { LinkPreviewCard, LinkPreviewerOptions, LinkPreviewTarget } from '../../signaling/link-previews/LinkPreviewerTypes';
import { freshDataDir } from '../support/server';
import type { TestDatabase } from '../support/mongo';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server on a loopback address that answers from a table of paths and counts requests. */
export class PageServer {
  readonly hits = new Map<string, number>();
  /** Connections the server saw closed by the client before it finished answering. */
  closedEarly = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(routes: Record<string, Route>, host = '127.0.0.1'): Promise<PageServer> {
    let page: PageServer | undefined;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      page!.hits.set(path, (page!.hits.get(path) ?? 0) + 1);
      res.on('close', () => {
        if (!res.writableFinished) page!.closedEarly++;
      });
      const route = routes[path];
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      route(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const { port } = server.address() as AddressInfo;
    page = new PageServer(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    return page;
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  get total(): number {
    return [...this.hits.values()].reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const html = (body: string, type = 'text/html; charset=utf-8'): Route => (_req, res) => {
  res.writeHead(200, { 'Content-Type': type });
  res.end(body);
};

export interface PreviewerKit {
  previewer: LinkPreviewer;
  store: LinkPreviewStore;
  files: FileStore;
  delivered: { target: LinkPreviewTarget; preview: LinkPreviewCard }[];
}

/** A previewer with test bounds (short time, small pages) and a sink that records what it gets. */
export function previewerKit(t: TestDatabase, overrides: Partial<LinkPreviewerOptions> = {}): PreviewerKit {
  const files = new FileStore(t.db, freshDataDir('previews'));
  const store = new LinkPreviewStore(t.db);
  const delivered: PreviewerKit['delivered'] = [];
  const previewer = new LinkPreviewer({
    enabled: true,
    allowPrivate: true,
    timeoutMs: 2000,
    htmlMaxBytes: 64 * 1024,
    imageMaxBytes: 1024 * 1024,
    maxRedirects: 3,
    concurrency: 2,
    ttlMs: 60_000,
    failureTtlMs: 30_000,
    store,
    files,
    thumbnailer: new Thumbnailer(50_000_000),
    logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
    sink: async (target, preview) => {
      delivered.push({ target, preview });
    },
    ...overrides,
  });
  return { previewer, store, files, delivered };
}

/** A previewer's reason for a URL it refused, as the cache remembers it. */
export async function failureReason(store: LinkPreviewStore, url: string): Promise<string | undefined> {
  const entry = await store.get(new URL(url).href);
  return entry && !entry.ok ? entry.reason : undefined;
}
