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
  locale: storedChoice() ?? browserLocale(),
  fallbackLocale,
  messages: { en, 'zh-CN': zhCN },
});

/** For scripts (stores, lib helpers): the same translate function templates call as `$t`. */
export const t = i18n.global.t;

/** The current locale, a reactive read: formatters that use it re-render when it changes. */
export function currentLocale(): AppLocale {
  return i18n.global.locale.value;
}

function browserLocale(): AppLocale {
  return pickLocale(navigator.languages ?? [navigator.language]);
}

/**
 * `<html lang>` follows the locale; a locale other than the browser's (chosen in the profile)
 * is remembered on this device, and choosing the browser's again forgets the choice.
 */
watch(
  i18n.global.locale,
  (locale) => {
    document.documentElement.lang = locale;
    try {
      if (locale === browserLocale()) localStorage.removeItem(CHOICE_KEY);
      else localStorage.setItem(CHOICE_KEY, locale);
    } catch {
      // storage refused (private mode): the choice lasts for this page only
    }
  },
  { immediate: true },
);

export { appLocales, type AppLocale } from './pickLocale';
