/**
 * Inbound payload schemas, validated at the edge (REST bodies, queries and socket payloads).
 * The web client imports the same schemas for form checks, so both sides agree on the limits.
 */
import { z } from 'zod';
import { PresenceStatus } from './models';
import { MentionList } from './attention';

export const Limits = {
  nicknameMax: 32,
  passwordMin: 8,
  passwordMax: 256,
  sessionNameMax: 64,
  /** Byte length of one message's text (UTF-8). */
  messageBytesMax: 16 * 1024,
  uuidMax: 64,
  historyPageDefault: 20,
  historyPageMax: 100,
  /** Bytes of a file's display name (UTF-8). */
  fileNameMax: 255,
} as const;

/** Lower-case hex md5, as file answers and `filemd5` carry it. */
export const Md5Param = z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be a 32-hex md5').transform((s) => s.toLowerCase());

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id');
const gender = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const flag = z.union([z.literal(0), z.literal(1)]);
const login = z.string().trim().toLowerCase().max(254).email('login must be an email address');
/** Direction overrides/embeddings (U+202A-U+202E) and isolates (U+2066-U+2069): they reorder the text around a name. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** Characters that draw nothing: whitespace, format characters (zero-width space, joiners...) and blank letters. */
const INVISIBLE = /[\p{White_Space}\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]/gu;

/**
 * A name other people see (nicknames, group names): NFC, trimmed, 1 to `max` characters, with no
 * control characters or bidi overrides/isolates, and not made only of invisible characters.
 */
export function displayName(max: number) {
  return z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, 'a name cannot be empty')
        .max(max, `a name holds at most ${max} characters`)
        .refine((s) => !CONTROL_CHARACTERS.test(s), 'a name cannot contain control characters (line breaks, tabs...)')
        .refine((s) => !BIDI_CONTROLS.test(s), 'a name cannot contain text-direction override or isolate characters')
        .refine((s) => s.replace(INVISIBLE, '').length > 0, 'a name needs at least one visible character'),
    );
}

const nickname = displayName(Limits.nicknameMax);
const sessionName = displayName(Limits.sessionNameMax);
const password = z.string().min(Limits.passwordMin).max(Limits.passwordMax);

export const IdParam = objectId;

export const RegisterBody = z.object({
  login,
  nickname,
  password,
  gender: gender.optional(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({ login, password: z.string().min(1).max(Limits.passwordMax) });
export type LoginBody = z.infer<typeof LoginBody>;

export const ChangePasswordBody = z.object({
  oldPassword: z.string().min(1).max(Limits.passwordMax),
  newPassword: password,
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const UpdateMeBody = z
  .object({
    nickname: nickname.optional(),
    gender: gender.optional(),
    avatar: z.string().max(512).optional(),
    /** Issue 13: false stops sending read receipts, and seeing others'. */
    readReceipts: z.boolean().optional(),
  })
  .strict();
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const UserSearchQuery = z.object({ q: z.string().trim().min(1).max(254) });

export const CreateGroupBody = z.object({
  name: sessionName,
  visabletype: flag.default(1),
  jointype: flag.default(0),
});
export type CreateGroupBody = z.infer<typeof CreateGroupBody>;

export const CreatePrivateBody = z.object({ uid: objectId });
export type CreatePrivateBody = z.infer<typeof CreatePrivateBody>;

export const UpdateSessionBody = z
  .object({
    name: sessionName.optional(),
    visabletype: flag.optional(),
    jointype: flag.optional(),
    /** S26: the fileid of an image the caller uploaded, or "" for none. */
    avatar: z.string().max(512).optional(),
  })
  .strict();
export type UpdateSessionBody = z.infer<typeof UpdateSessionBody>;

export const InviteBody = z.object({ uid: objectId });

export const ListSessionsQuery = z.object({
  type: z.enum(['all', 'private', 'group']).default('all'),
});

export const PublicSessionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** Only sessions created before this time (ms), for paging. */
  before: z.coerce.number().int().positive().optional(),
});

export const HistoryQuery = z.object({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(Limits.historyPageMax).default(Limits.historyPageDefault),
});

// ---- socket payloads ----

export const MessageSendPayload = z.object({
  sessionToken: z.string().min(1).max(4096),
  msgtype: z.number().int().min(0).max(6),
  /** The text; for file messages an optional caption. */
  msg: z.string().max(Limits.messageBytesMax * 4).default(''),
  uuid: z.string().min(1).max(Limits.uuidMax),
  time: z.number().optional(),
  /** File messages (msgtype 1-4) name an uploaded file by its md5. */
  filemd5: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  /** File messages: the name to show (S3); the uploaded file's name when absent. */
  filename: z.string().max(Limits.fileNameMax * 4).optional(),
  /** The message this one answers (S24), of the same conversation. */
  replyTo: objectId.optional(),
  /** Members mentioned (issue 13), or `["all"]` (group owners and admins). */
  mentions: MentionList.optional(),
});
export type MessageSendPayload = z.infer<typeof MessageSendPayload>;

// ---- conversation events (S24) ----

export const MessageEditPayload = z.object({
  sessionToken: z.string().min(1).max(4096),
  msgid: objectId,
  msg: z.string().max(Limits.messageBytesMax * 4),
});
export type MessageEditPayload = z.infer<typeof MessageEditPayload>;

export const MessageDeletePayload = z.object({
  sessionToken: z.string().min(1).max(4096),
  msgid: objectId,
});
export type MessageDeletePayload = z.infer<typeof MessageDeletePayload>;

export const MessageReactPayload = z.object({
  sessionToken: z.string().min(1).max(4096),
  msgid: objectId,
  /** One emoji (or its `:shortcode:`). */
  emoji: z.string().min(1).max(64),
  on: z.boolean(),
});
export type MessageReactPayload = z.infer<typeof MessageReactPayload>;

export const MessagePinPayload = z.object({
  sessionToken: z.string().min(1).max(4096),
  msgid: objectId,
  pinned: z.boolean(),
});
export type MessagePinPayload = z.infer<typeof MessagePinPayload>;

export const PresenceSetPayload = z.object({
  status: z.enum(PresenceStatus),
  sessionid: objectId.optional(),
});
export type PresenceSetPayload = z.infer<typeof PresenceSetPayload>;

export const SyncPayload = z.object({
  cursors: z.record(objectId, z.number().int().min(0)),
});
export type SyncPayload = z.infer<typeof SyncPayload>;

export const TypingPayload = z.object({ sessionid: objectId });
export type TypingPayload = z.infer<typeof TypingPayload>;
