/**
 * The web client's translations (vue-i18n, composition mode; templates use the global `$t`).
 * The language is the user's choice from the profile if they made one, else the first of the
 * browser's languages the app has, else English; `<html lang>` follows it.
 */
import { watch } from 'vue';
import { createI18n } from 'vue-i18n';
import en, { type MessageSchema } from './en';
import zhCN from './zh-CN';
import { fallbackLocale, isAppLocale, pickLocale, type AppLocale } from './pickLocale';

const CHOICE_KEY = 'cookim.locale';

function storedChoice(): AppLocale | null {
  try {
    const value = localStorage.getItem(CHOICE_KEY);
    return isAppLocale(value) ? value : null;
  } catch {
    return null;
  }
}

export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  globalInjection: true,
  locale: storedChoice() ?? pickLocale(navigator.languages ?? [navigator.language]),
  fallbackLocale,
  messages: { en, 'zh-CN': zhCN },
});

/** For scripts (stores, lib helpers): the same translate function templates call as `$t`. */
export const t = i18n.global.t;

/** The current locale, a reactive read: formatters that use it re-render when it changes. */
export function currentLocale(): AppLocale {
  return i18n.global.locale.value;
}

/** The user's explicit choice (profile), remembered on this device. */
export function chooseLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale;
  try {
    localStorage.setItem(CHOICE_KEY, locale);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

watch(
  i18n.global.locale,
  (locale) => {
    document.documentElement.lang = locale;
  },
  { immediate: true },
);

export { appLocales, type AppLocale } from './pickLocale';
