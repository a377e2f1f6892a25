/**
 * Live streams (S19) as this browser knows them: each stream's latest info (from GET /api/live,
 * GET /api/live/:id and the `live:update` / `live:viewers` pushes), the streams watched here (the
 * viewer room belongs to the socket, so they are watched again after a reconnect), and the uplink
 * scores (`live:quality`) of the stream published from here.
 */
import { reactive } from 'vue';
import type { LiveServerEvents, LiveStreamInfo } from '@protocol';
import { api } from '@/lib/api';
import { socketRequest, type AckedEvent, type RequestPayload, type RequestResult } from '@/lib/socketRequest';
import { chat } from './chat';
import { connection, type ChatSocket } from './connection';

type Kind = 'audio' | 'video';

const state = reactive({
  streams: {} as Record<string, LiveStreamInfo>,
  /** The latest producer score per track kind, for streams published from here. */
  quality: {} as Record<string, Partial<Record<Kind, number>>>,
});

/** Streams watched by open viewer pages (counted: the same stream may be open twice). */
const watching = new Map<string, number>();
const wired = new WeakSet<ChatSocket>();
let unsubscribeConnect: (() => void) | null = null;
type ReconnectMedia = Parameters<LiveServerEvents['live:reconnectMedia']>[0];
/** The publisher view's handler: the stream's media moved to another server, send the tracks again. */
const reconnectHandlers = new Set<(event: ReconnectMedia) => void>();

function request<E extends AckedEvent & `live:${string}`>(event: E, payload: RequestPayload<E>): Promise<RequestResult<E>> {
  return socketRequest(connection.socket, event, payload);
}

function remember(stream: LiveStreamInfo): LiveStreamInfo {
  const known = state.streams[stream.streamid];
  state.streams[stream.streamid] = known ? Object.assign(known, stream) : stream;
  chat.rememberUser(stream.publisher.uid, stream.publisher.nickname);
  return state.streams[stream.streamid]!;
}

async function rewatch(streamid: string): Promise<void> {
  try {
    remember((await request('live:watch', { streamid })).stream);
  } catch {
    /* the viewer page shows what it can; the next reconnect tries again */
  }
}

function wire(socket: ChatSocket): void {
  if (wired.has(socket)) return;
  wired.add(socket);
  socket.on('live:update', ({ stream }) => void remember(stream));
  socket.on('live:viewers', ({ streamid, viewers }) => {
    const known = state.streams[streamid];
    if (known) known.viewers = viewers;
  });
  socket.on('live:quality', ({ streamid, kind, score }) => {
    (state.quality[streamid] ??= {})[kind] = score;
  });
  socket.on('live:reconnectMedia', (event) => {
    for (const handler of reconnectHandlers) handler(event);
  });
}

export const live = {
  state,
  request,
  remember,

  /** Called when the server moved a stream's media (live:reconnectMedia); answers the unsubscribe. */
  onReconnectMedia(handler: (event: ReconnectMedia) => void): () => void {
    reconnectHandlers.add(handler);
    return () => reconnectHandlers.delete(handler);
  },

  /** Wires the store to the (re)connecting socket; App calls it right after chat.start(). */
  attach(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = connection.onConnect((socket) => {
      wire(socket);
      for (const streamid of watching.keys()) void rewatch(streamid);
    });
    if (connection.socket) wire(connection.socket);
  },

  detach(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = null;
    watching.clear();
    state.streams = {};
    state.quality = {};
  },

  /** The live streams the user may watch, newest first. */
  async list(): Promise<LiveStreamInfo[]> {
    const { streams } = await api<{ streams: LiveStreamInfo[] }>('/live');
    return streams.map(remember);
  },

  /** One stream, live, starting or ended (with its replay). */
  async fetch(streamid: string): Promise<LiveStreamInfo> {
    const { stream } = await api<{ stream: LiveStreamInfo }>(`/live/${encodeURIComponent(streamid)}`);
    return remember(stream);
  },

  /** Joins the stream's viewer room (counted, told of state changes) until unwatch(). */
  async watch(streamid: string): Promise<LiveStreamInfo> {
    watching.set(streamid, (watching.get(streamid) ?? 0) + 1);
    return remember((await request('live:watch', { streamid })).stream);
  },

  unwatch(streamid: string): void {
    if (!watching.has(streamid)) return;
    const count = watching.get(streamid)! - 1;
    if (count > 0) {
      watching.set(streamid, count);
      return;
    }
    watching.delete(streamid);
    request('live:unwatch', { streamid }).catch(() => undefined);
  },

  /** Below 7 (of 10) on any track: the publisher's uplink loses or delays packets. */
  poorScore(streamid: string): number | null {
    const scores = Object.values(state.quality[streamid] ?? {});
    const worst = scores.length ? Math.min(...scores) : null;
    return worst !== null && worst < 7 ? worst : null;
  },
};
