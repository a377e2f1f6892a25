/**
 * The setting of the live viewing e2e tests: a server with one small rendition on its own WebRTC
 * ports, Chromium, viewers' pages (the page's debug hook on, 20 s waits) and a Node publisher who
 * goes live.
 */
import type { Browser, BrowserContextOptions } from 'playwright-core';
import type { LiveStreamInfo } from '../../signaling/protocol/live';
import { launchBrowser, openUser, type UserPage } from './browser';
import { connectWithWelcome, registerUser } from './client';
import { LivePeer } from './live';
import { closeAll, prepareMediasoup } from './media';
import { startServer, type RunningServer } from './server';

export interface LiveViewing {
  server: RunningServer;
  browser: Browser;
  /** One page per device asked for, in that order. */
  viewers: UserPage[];
  /** Alice goes live from Node (the web's publishing engine). */
  publish(options?: { title?: string; visibility?: 'public' | 'members' }): Promise<LiveStreamInfo>;
  close(): Promise<void>;
}

export async function startLiveViewing(env: Record<string, string>, devices: BrowserContextOptions[]): Promise<LiveViewing> {
  await prepareMediasoup();
  const rtcPort = 20_000 + Math.floor(Math.random() * 400) * 50;
  const [server, browser] = await Promise.all([startServer({ env: { RTC_PORT: String(rtcPort), LIVE_RENDITIONS: '240:300', ...env } }), launchBrowser()]);
  const open: { close(): void }[] = [];
  const viewers: UserPage[] = [];
  for (const device of devices) {
    const viewer = await openUser(browser, server.url, device);
    await viewer.context.addInitScript(() => localStorage.setItem('cookim.debug', '1'));
    viewer.context.setDefaultTimeout(20_000);
    viewers.push(viewer);
  }
  return {
    server,
    browser,
    viewers,
    async publish({ title = 'Modes', visibility } = {}) {
      const alice = await registerUser(server.url, 'Alice');
      const { socket } = await connectWithWelcome(server.url, alice.token);
      const publisher = new LivePeer(socket);
      open.push(publisher);
      await publisher.create({ title, ...(visibility ? { visibility } : {}) });
      return publisher.start();
    },
    async close() {
      await closeAll(open);
      await browser.close();
      await server.stop();
    },
  };
}
