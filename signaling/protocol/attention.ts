/**
 * Attention (issue 13, PROTOCOL.md "Attention"): mentions, read state and receipts, per-conversation
 * mute and Web Push subscriptions.
 */
import { z } from 'zod';
import type { Ack } from './ack';
import type { SearchResult } from './search';

/** The mention that reaches every member of a group (owners and admins only). */
export const MentionAll = 'all';

export const ReadSetPayload = z.object({
  sessionid: z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id'),
  seq: z.number().int().min(0),
});
export type ReadSetPayload = z.infer<typeof ReadSetPayload>;

/** A member read up to `seq` (a receipt; `uid` is the reader, the caller itself on its other devices). */
export interface ReadEvent {
  sessionid: string;
  uid: string;
  seq: number;
}

/** PATCH /api/sessions/:id/settings. */
export interface SessionSettingsBody {
  muted: boolean;
  /** When the mute ends (ms); absent: until turned back on. */
  mutedUntil?: number;
}

/** GET /api/sessions/:id/reads: how far members with receipts on have read. */
export interface ReadsAnswer {
  reads: { uid: string; seq: number }[];
}

/** GET /api/mentions: messages that mention the caller, newest first (the shape of GET /api/search). */
export interface MentionsAnswer {
  results: SearchResult[];
}

/** GET /api/push/key. */
export interface PushKeyAnswer {
  publicKey: string;
}

/** POST /api/push/subscriptions (DELETE takes `{ endpoint }`). */
export interface PushSubscriptionBody {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What a push carries: the service worker shows it as a notification. */
export interface PushPayload {
  type: 'message' | 'call';
  sessionid: string;
  msgid?: string;
  title: string;
  body: string;
  url: string;
}

export interface AttentionClientEvents {
  'read:set': (payload: ReadSetPayload, ack: Ack<{ seq: number }>) => void;
}

export interface AttentionServerEvents {
  read: (event: ReadEvent) => void;
}
