/**
 * Who gets alerted of what (issue 13), as plain functions (no browser needed, tested in
 * test/web/attentionRules.test.ts).
 */

/** Whether a conversation's mute holds at `now` (a mute with an end in the past has lapsed). */
export function muteHolds(muted: boolean | undefined, mutedUntil: number | undefined, now: number): boolean {
  return !!muted && (mutedUntil === undefined || mutedUntil === 0 || mutedUntil > now);
}

export interface MessageAlertFacts {
  /** The tab is hidden (another tab in front, minimised, screen locked). */
  hidden: boolean;
  /** Sent by the user (from another device): never an alert. */
  mine: boolean;
  muted: boolean;
  mentionsMe: boolean;
  /** The user's status is busy: only mentions and calls. */
  busy: boolean;
}

/** A system notification for a message: only for a hidden tab; mentions always, else unmuted and not busy. */
export function shouldNotifyMessage(facts: MessageAlertFacts): boolean {
  if (!facts.hidden || facts.mine) return false;
  if (facts.mentionsMe) return true;
  return !facts.muted && !facts.busy;
}

/** What the tab title, icon and app badge count: unread messages, only mentions in muted conversations. */
export function attentionCount(sessions: readonly { unread?: number; unreadMentions?: number; muted: boolean }[]): number {
  let total = 0;
  for (const s of sessions) total += s.muted ? (s.unreadMentions ?? 0) : (s.unread ?? 0);
  return total;
}

/** The `@query` being typed just before the caret: after a start or a space, no space inside. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const match = /(?:^|[\s(（，。、])@([^\s@]{0,32})$/u.exec(before);
  if (!match) return undefined;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query };
}

export interface Mentionable {
  uid: string;
  nickname: string;
}

/** Members whose nickname matches the query (starts-with first, then contains), case-insensitive. */
export function matchMentionable<T extends Mentionable>(members: readonly T[], query: string, limit = 8): T[] {
  const q = query.toLocaleLowerCase();
  const starts: T[] = [];
  const contains: T[] = [];
  for (const member of members) {
    const name = member.nickname.toLocaleLowerCase();
    if (name.startsWith(q)) starts.push(member);
    else if (name.includes(q)) contains.push(member);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** The uids chosen in the composer whose `@nickname` is still in the text being sent. */
export function mentionsInText(text: string, chosen: readonly Mentionable[]): string[] {
  const uids: string[] = [];
  for (const { uid, nickname } of chosen) if (text.includes(`@${nickname}`) && !uids.includes(uid)) uids.push(uid);
  return uids;
}

export interface MentionPart {
  text: string;
  /** Set on an `@name` of a mentioned user: `me` when it names the reader (or everyone). */
  mention?: 'me' | 'other';
}

/** Splits text into plain parts and `@name` parts for the names given (longest names first). */
export function splitMentions(text: string, names: readonly { name: string; me: boolean }[]): MentionPart[] {
  const sorted = [...names].filter((n) => n.name).sort((a, b) => b.name.length - a.name.length);
  if (!sorted.length || !text.includes('@')) return [{ text }];
  const parts: MentionPart[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const found = text[i] === '@' ? sorted.find((n) => text.startsWith(n.name, i + 1)) : undefined;
    if (found) {
      if (plain) parts.push({ text: plain });
      plain = '';
      parts.push({ text: `@${found.name}`, mention: found.me ? 'me' : 'other' });
      i += found.name.length + 1;
    } else {
      plain += text[i];
      i++;
    }
  }
  if (plain) parts.push({ text: plain });
  return parts;
}
