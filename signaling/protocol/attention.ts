/**
 * Attention (issue 13, PROTOCOL.md "Attention"): mentions, read state and receipts, per-conversation
 * mute, Web Push subscriptions and the Mentions view. Shared by the server and the web client.
 */
import { z } from 'zod';
import type { SearchResult } from './search';

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id');
/** Unpadded base64url (what PushSubscription.toJSON() gives for its keys). */
const base64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

/** `mentions: ["all"]` names every member of a group (owners and admins only). */
export const MENTION_ALL = 'all';

export const AttentionLimits = {
  /** Users one message may mention. */
  mentionsMax: 50,
  mentionsPageDefault: 20,
  mentionsPageMax: 100,
  pushEndpointMax: 2048,
} as const;

/** `message:send`'s `mentions`: uids of the conversation's members, or `["all"]`. */
export const MentionList = z.array(z.union([objectId, z.literal(MENTION_ALL)])).max(AttentionLimits.mentionsMax);

// ---- read state and receipts ----

/** `read:set`: the user has seen the conversation up to `seq` (only forward). */
export const ReadSetPayload = z.object({
  sessionid: objectId,
  seq: z.number().int().min(0),
});
export type ReadSetPayload = z.infer<typeof ReadSetPayload>;

/** Ack of `read:set`: the user's read position now (unchanged when `seq` was not ahead of it). */
export interface ReadSetResult {
  sessionid: string;
  seq: number;
}

/**
 * Server to client `read`: `uid` has read the conversation up to `seq`. After `read:set` the other
 * members get it as a read receipt (unless either side turned receipts off); the reader's own other
 * sockets get it with `uid` their own, so unread badges clear on every device. A member's own
 * message also moves their position to its seq: their other sockets get `read`, the other members
 * do not (the `message` itself tells them that its sender has read up to it).
 */
export interface ReadEvent {
  sessionid: string;
  uid: string;
  seq: number;
}

/** `GET /api/sessions/:id/reads`: the other members' read positions (only users with receipts on). */
export interface ReadsAnswer {
  reads: { uid: string; seq: number }[];
}

/** What `GET /api/sessions` adds to each conversation for the caller. */
export interface SessionAttention {
  readSeq: number;
  /** Messages after readSeq not sent by the caller (change events and deleted messages do not count). */
  unread: number;
  /** Of those, the ones that mention the caller or `all`. */
  unreadMentions: number;
  muted: boolean;
  /** When the mute ends (ms); absent: until turned off. */
  mutedUntil?: number;
}

// ---- mute ----

/** `PATCH /api/sessions/:id/settings`: `mutedUntil` (ms, in the future) only with `muted: true`. */
export const SessionSettingsBody = z
  .object({
    muted: z.boolean(),
    mutedUntil: z.number().int().positive().optional(),
  })
  .strict();
export type SessionSettingsBody = z.infer<typeof SessionSettingsBody>;

/** The answer of `PATCH /api/sessions/:id/settings`. */
export interface SessionSettings {
  sessionid: string;
  muted: boolean;
  mutedUntil?: number;
}

// ---- Mentions view ----

/** `GET /api/mentions`: paged like GET /api/search (`before` a message time in ms). */
export const MentionsQuery = z.object({
  before: z.coerce.number().int().min(1).optional(),
  /** With `before`, the msgid of the last result (ties in one millisecond), as in search. */
  beforeId: objectId.optional(),
  limit: z.coerce.number().int().min(1).max(AttentionLimits.mentionsPageMax).default(AttentionLimits.mentionsPageDefault),
});
export type MentionsQuery = z.infer<typeof MentionsQuery>;

export interface MentionsAnswer {
  results: SearchResult[];
}

// ---- Web Push ----

export interface PushKeyAnswer {
  /** The VAPID public key (base64url), the service worker's `applicationServerKey`. */
  publicKey: string;
}

/** `POST /api/push/subscriptions`: a browser PushSubscription as `toJSON()` gives it. */
export const PushSubscriptionBody = z.object({
  endpoint: z.string().max(AttentionLimits.pushEndpointMax).url('endpoint: an absolute URL'),
  keys: z.object({
    p256dh: base64url.max(256),
    auth: base64url.max(64),
  }),
  expirationTime: z.number().nullable().optional(),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;

/** `DELETE /api/push/subscriptions`. */
export const PushUnsubscribeBody = z.object({
  endpoint: z.string().min(1).max(AttentionLimits.pushEndpointMax),
});
export type PushUnsubscribeBody = z.infer<typeof PushUnsubscribeBody>;

/** The JSON a push carries (encrypted, RFC 8291 `aes128gcm`); `url` is the page to open on click. */
export interface PushPayload {
  type: 'message' | 'call';
  sessionid: string;
  msgid?: string;
  title: string;
  body: string;
  url: string;
}
