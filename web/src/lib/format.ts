/** Name, date, duration and size helpers for the chat UI, in the user's language (Intl). */
import { currentLocale, t } from '@/i18n';

export { formatDuration } from '@protocol';

export function initials(name: string): string {
  // letters, digits and emoji only: punctuation ("读·", "(Ann)") is not part of a person's initials
  const words = name
    .trim()
    .split(/\s+/)
    .map((word) => [...word].filter((char) => /[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(char)))
    .filter((chars) => chars.length > 0);
  if (words.length === 0) return '?';
  const chars = words.length === 1 ? words[0]!.slice(0, 2) : [words[0]![0], words[1]![0]];
  return chars.join('').toUpperCase();
}

/** A stable hue per id, so each person keeps one avatar colour. */
export function hueOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % 360;
}

const formatOptions = {
  time: { hour: '2-digit', minute: '2-digit' },
  weekday: { weekday: 'short' },
  shortDate: { day: 'numeric', month: 'short' },
  longDate: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  full: { dateStyle: 'full', timeStyle: 'medium' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

// Intl formatters are costly to build: one per (locale, style), made on first use.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(style: keyof typeof formatOptions): Intl.DateTimeFormat {
  // reading the locale here makes a template that formats a date re-render when it changes
  const locale = currentLocale();
  const key = `${locale} ${style}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, formatOptions[style]);
    dateFormats.set(key, format);
  }
  return format;
}

export function dayKey(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function startOfDay(time: number): number {
  const d = new Date(time);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function daysAgo(time: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(time)) / 86_400_000);
}

export function formatTime(time: number): string {
  return dateFormat('time').format(time);
}

export function formatFull(time: number): string {
  return dateFormat('full').format(time);
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/** "Today" / "今天", "Yesterday" / "昨天": Intl's own words for the day, capitalized to start a label. */
function relativeDay(days: 0 | 1): string {
  const locale = currentLocale();
  let format = relativeFormats.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormats.set(locale, format);
  }
  const word = format.format(-days, 'day');
  return word.charAt(0).toLocaleUpperCase(locale) + word.slice(1);
}

/** "Today", "Yesterday" or the full date, for day separators. */
export function formatDay(time: number, now = Date.now()): string {
  const days = daysAgo(time, now);
  if (days === 0 || days === 1) return relativeDay(days);
  return dateFormat('longDate').format(time);
}

/** Compact stamp for the conversation list. */
export function formatListStamp(time: number, now = Date.now()): string {
  const days = daysAgo(time, now);
  if (days === 0) return dateFormat('time').format(time);
  if (days === 1) return relativeDay(1);
  if (days < 7) return dateFormat('weekday').format(time);
  return dateFormat('shortDate').format(time);
}

/** A count in the user's style of digits ("1,234"), for messages whose plural form the count picks. */
export function formatCount(count: number): string {
  return new Intl.NumberFormat(currentLocale()).format(count);
}

const byteUnits = ['KB', 'MB', 'GB', 'TB'];

/**
 * 1536 → "1.5 KB", 3_400_000 → "3.2 MB" (binary multiples, as file managers show), the number in
 * the user's style. The unit abbreviations are the same in English and Chinese; Intl's own unit
 * names ("kB", "千字节") are not what file managers show.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return t('units.bytes', { n: new Intl.NumberFormat(currentLocale()).format(bytes) }, bytes);
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  const number = new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: value >= 100 ? 0 : 1, useGrouping: false }).format(value);
  return `${number} ${byteUnits[unit]}`;
}
