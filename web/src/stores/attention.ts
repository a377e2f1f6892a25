/**
 * Getting the user's attention (issue 13): the unread count on the tab title, the favicon and the
 * app badge; system notifications while the tab is hidden (messages in unmuted conversations,
 * mentions always, incoming calls; only mentions and calls when busy); the prompt that asks for the
 * permission after a first sent message (never on load); per-conversation mute; the receipts
 * setting. Started by AttentionHost.vue while someone is signed in.
 */
import { computed, reactive, watch } from 'vue';
import { MENTION_ALL, MsgType, SessionType, type MessageView, type SessionSettingsBody, type SessionView } from '@protocol';
import { t } from '@/i18n';
import { api } from '@/lib/api';
import { attentionCount, muteHolds, shouldNotifyMessage } from '@/lib/attentionRules';
import { favicon } from '@/lib/favicon';
import { notifications, type NotificationPermissionState } from '@/lib/notifications';
import { plainPreview } from '@/lib/plainPreview';
import { pushSubscription } from '@/lib/pushSubscription';
import { readJson, writeJson } from '@/lib/storage';
import { titleBadge } from '@/lib/titleBadge';
import { auth } from './auth';
import { connection, type ChatSocket } from './connection';
import { outbox } from './outbox';
import { presence } from './presence';
import { readMarkers } from './readMarkers';
import { sessions } from './sessions';
import { users } from './users';

export type MuteChoice = '1h' | '8h' | 'forever';
const MUTE_MS: Record<MuteChoice, number | undefined> = { '1h': 3_600_000, '8h': 8 * 3_600_000, forever: undefined };
const PROMPT_DISMISSED_KEY = 'cookim.notifyPromptDismissed';

const state = reactive({
  /** The clock mutes are judged by, moved every 30 s (a mute "for 1 hour" lapses by itself). */
  now: Date.now(),
  permission: notifications.permission() as NotificationPermissionState,
  /** The "turn on notifications?" prompt is showing. */
  promptOpen: false,
});

export function isMuted(session: SessionView, now = state.now): boolean {
  return muteHolds(session.muted, session.mutedUntil, now);
}

const count = computed(() =>
  attentionCount(
    Object.values(sessions.state.sessions).map((s) => ({ unread: s.unread, unreadMentions: s.unreadMentions, muted: isMuted(s) })),
  ),
);

let stops: (() => void)[] = [];
let navigate: (url: string) => void = () => undefined;

function busyIn(sessionid: string): boolean {
  return (presence.state.mySessionStatus[sessionid] || presence.state.myStatus) === 'busy';
}

function hidden(): boolean {
  return document.visibilityState === 'hidden';
}

function bodyOf(message: MessageView): string {
  const labels: Record<number, string> = {
    [MsgType.Image]: t('preview.photo'),
    [MsgType.Voice]: t('preview.voice'),
    [MsgType.Video]: t('preview.video'),
    [MsgType.File]: t('preview.file'),
  };
  return message.msgtype === MsgType.Text ? plainPreview(message.msg) : (labels[message.msgtype] ?? t('preview.message'));
}

function setAppBadge(n: number): void {
  if (!('setAppBadge' in navigator)) return;
  const done = n > 0 ? navigator.setAppBadge(n) : navigator.clearAppBadge();
  done.catch(() => undefined);
}

function showCount(n: number): void {
  titleBadge.set(n);
  void favicon.set(n);
  setAppBadge(n);
}

export interface MentionName {
  name: string;
  /** Names the reader (or everyone): marked strongest. */
  me: boolean;
}

/** The `@names` to mark in a message: its mentions' nicknames, and `@all`. */
function mentionNames(mentions: readonly string[] | undefined): MentionName[] {
  if (!mentions?.length) return [];
  const me = auth.uid.value;
  const names: MentionName[] = [];
  for (const uid of mentions) {
    const nickname = uid === MENTION_ALL ? 'all' : uid === me ? auth.state.user?.nickname : users.nicknameOf(uid);
    if (nickname) names.push({ name: nickname, me: uid === me || uid === MENTION_ALL });
  }
  return names;
}

export const attention = {
  state,
  count,
  mentionNames,

  /** `open` follows a notification's click (the app's router). */
  start(open: (url: string) => void): void {
    attention.stop();
    navigate = open;
    state.permission = notifications.permission();
    const tick = setInterval(() => (state.now = Date.now()), 30_000);
    const stopCount = watch(count, showCount, { immediate: true });
    const offDelivered = outbox.onDelivered(() => attention.offerPrompt());
    // every socket of the session (a new one after a sign-in again), once
    const wired = new WeakSet<ChatSocket>();
    const wire = (socket: ChatSocket) => {
      if (wired.has(socket)) return;
      wired.add(socket);
      socket.on('message', attention.onMessage);
    };
    if (connection.socket) wire(connection.socket);
    const offConnect = connection.onConnect(wire);
    stops = [() => clearInterval(tick), stopCount, offDelivered, offConnect, () => connection.socket?.off('message', attention.onMessage)];
    // allowed before (another visit): keep this device's push subscription known to the server
    if (state.permission === 'granted') void pushSubscription.register();
  },

  stop(): void {
    for (const stop of stops) stop();
    stops = [];
    state.promptOpen = false;
    titleBadge.clear();
    void favicon.set(0);
    setAppBadge(0);
  },

  /** An incoming call while the tab is hidden: a notification that stays until the call is dealt with. */
  notifyCall(call: { callid: string; sessionid: string; kind: string }, from: string): void {
    if (!hidden()) return;
    const session = sessions.state.sessions[call.sessionid];
    const video = call.kind === 'video';
    const group = session?.sessiontype === SessionType.Group ? sessions.titleOf(session) : '';
    const body = group ? t(video ? 'call.incomingVideoIn' : 'call.incomingVoiceIn', { group }) : t(video ? 'call.incomingVideo' : 'call.incomingVoice');
    void notifications.show({ title: from, body, tag: `call-${call.callid}`, url: `/c/${call.sessionid}`, sticky: true }, navigate);
  },

  callOver(callid: string): void {
    void notifications.close(`call-${callid}`);
  },

  /** A message pushed to us: a system notification if the tab is hidden and the rules allow. */
  onMessage(message: MessageView): void {
    const session = sessions.state.sessions[message.sessionid];
    const mentionsMe = readMarkers.mentionsMe(message);
    const alert = shouldNotifyMessage({
      hidden: hidden(),
      mine: message.senduid === auth.uid.value,
      muted: session ? isMuted(session) : false,
      mentionsMe,
      busy: busyIn(message.sessionid),
    });
    if (!alert || message.msgtype === MsgType.VoiceCall || message.msgtype === MsgType.VideoCall) return;
    const group = session?.sessiontype === SessionType.Group ? sessions.titleOf(session) : '';
    const title = mentionsMe
      ? t('attention.mentionedYou', { name: message.nickname })
      : group
        ? t('attention.inGroup', { name: message.nickname, group })
        : message.nickname;
    void notifications.show({ title, body: bodyOf(message), tag: `session-${message.sessionid}`, url: `/c/${message.sessionid}` }, navigate);
  },

  /** The permission may have changed in the browser's settings meanwhile. */
  refreshPermission(): void {
    state.permission = notifications.permission();
  },

  /** After a sent message: offer notifications, once, if the browser has not been asked yet. */
  offerPrompt(): void {
    if (state.promptOpen || notifications.permission() !== 'default' || readJson(PROMPT_DISMISSED_KEY, false)) return;
    state.promptOpen = true;
  },

  dismissPrompt(): void {
    state.promptOpen = false;
    writeJson(PROMPT_DISMISSED_KEY, true);
  },

  /** Asks for the permission (from a click); with it, this device also subscribes to Web Push. */
  async enableNotifications(): Promise<NotificationPermissionState> {
    state.promptOpen = false;
    state.permission = await notifications.request();
    if (state.permission !== 'default') writeJson(PROMPT_DISMISSED_KEY, true);
    if (state.permission === 'granted') void pushSubscription.register();
    return state.permission;
  },

  /** Mutes for a while or until turned back on (`null`: unmute). */
  async mute(sessionid: string, choice: MuteChoice | null): Promise<void> {
    const ms = choice ? MUTE_MS[choice] : undefined;
    const body: SessionSettingsBody = choice ? { muted: true, ...(ms ? { mutedUntil: Date.now() + ms } : {}) } : { muted: false };
    await api<unknown>(`/sessions/${sessionid}/settings`, { method: 'PATCH', body });
    const session = sessions.state.sessions[sessionid];
    if (session) {
      session.muted = body.muted;
      session.mutedUntil = body.mutedUntil;
    }
    state.now = Date.now();
  },

  /** Read receipts on or off (PATCH /api/me): off sends none and shows none. */
  async setReadReceipts(on: boolean): Promise<void> {
    await auth.updateMe({ readReceipts: on });
  },

  /** Signing out: this device stops receiving pushes for the account. */
  forgetDevice(): Promise<void> {
    return pushSubscription.unregister();
  },
};
