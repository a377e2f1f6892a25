/** Machine-readable error codes shared by REST answers and socket acks (PROTOCOL.md "Errors"). */
export const ErrorCode = {
  InvalidInput: 'invalid_input',
  InvalidJson: 'invalid_json',
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  TokenInvalid: 'token_invalid',
  TokenRevoked: 'token_revoked',
  WrongPassword: 'wrong_password',
  NotMember: 'not_member',
  Forbidden: 'forbidden',
  InvitationOnly: 'invitation_only',
  NotFound: 'not_found',
  UserNotFound: 'user_not_found',
  SessionNotFound: 'session_not_found',
  DuplicateLogin: 'duplicate_login',
  TooLarge: 'too_large',
  RateLimited: 'rate_limited',
  NotOnline: 'not_online',
  Unavailable: 'unavailable',
  Internal: 'internal_error',
  // files (S9, S20)
  Md5Mismatch: 'md5_mismatch',
  InvalidFile: 'invalid_file',
  InvalidImage: 'invalid_image',
  FileNotFound: 'file_not_found',
  UrlExpired: 'url_expired',
  InvalidSignature: 'invalid_signature',
  // calls (S18)
  CallNotFound: 'call_not_found',
  MediaUnavailable: 'media_unavailable',
  // live streams (S19)
  StreamNotFound: 'stream_not_found',
  AlreadyLive: 'already_live',
  // files: per-user storage quota (USER_STORAGE_QUOTA)
  QuotaExceeded: 'quota_exceeded',
  // accounts and limits (issue 10: sign-in, passwords)
  WeakPassword: 'weak_password',
  // calls: per-user bounds (hardening)
  TooManyCalls: 'too_many_calls',
  // connections (issue 10: sockets per user)
  TooManyConnections: 'too_many_connections',
  // conversation events (S24): a message carries too many reactions or different emoji
  TooManyReactions: 'too_many_reactions',
  // HTTP ranges (files)
  RangeNotSatisfiable: 'range_not_satisfiable',
  // attention (issue 13): `mentions` names someone who is not a member of the conversation
  InvalidMentions: 'invalid_mentions',
  // people (S26): friends, blocks, group moderation, invite links
  Blocked: 'blocked',
  AlreadyFriends: 'already_friends',
  FriendRequestNotFound: 'friend_request_not_found',
  Muted: 'muted',
  Banned: 'banned',
  InviteExpired: 'invite_expired',
  InviteNotFound: 'invite_not_found',
  // live ingest (S27): stream keys for WHIP encoders
  InvalidStreamKey: 'invalid_stream_key',
  TooManyStreamKeys: 'too_many_stream_keys',
  // real-time viewing (S27): no room left for WebRTC viewers, or not offered here (watch HLS)
  WebrtcFull: 'webrtc_full',
  WebrtcUnavailable: 'webrtc_unavailable',
  // call recording (issue 15): one at a time per call; stop with none running; per-node bound
  AlreadyRecording: 'already_recording',
  NotRecording: 'not_recording',
  TooManyRecordings: 'too_many_recordings',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error shape every failed REST call and socket ack carries. */
export interface ErrorBody {
  /** `until`: when a time-bound refusal lifts (ms since epoch; `muted`). */
  error: { code: ErrorCode | string; message: string; retryable?: boolean; until?: number };
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof (value as ErrorBody).error?.code === 'string'
  );
}
