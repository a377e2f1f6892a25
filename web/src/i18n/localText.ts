/**
 * Text a store or a view keeps while the language may change under it: a catalogue key with its
 * parameters, put into words only when shown (`say`), so switching language re-renders it. A plain
 * string is a catalogue key when the catalogue has it, else words to show as they are (a server's
 * or a browser's own message), so a key fits where a string is expected.
 */
import { i18n, t } from './index';

export type LocalParam = string | number | LocalText;

export type LocalText =
  | string
  | {
      key: string;
      /** Strings are shown as they are (names, user content); texts are said in turn. */
      params?: Record<string, LocalParam>;
      /** The count that picks a plural form. */
      n?: number;
    };

/** A key and its parameters, said later. */
export function text(key: string, params?: Record<string, LocalParam>, n?: number): LocalText {
  return { key, ...(params ? { params } : {}), ...(n !== undefined ? { n } : {}) };
}

/** The words of a kept text in the current language (a reactive read: templates re-render on a switch). */
export function say(value: LocalText | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return i18n.global.te(value) ? t(value) : value;
  const params: Record<string, string | number> = {};
  for (const [name, param] of Object.entries(value.params ?? {})) {
    params[name] = typeof param === 'object' ? say(param) : param;
  }
  return value.n === undefined ? t(value.key, params) : t(value.key, params, value.n);
}
