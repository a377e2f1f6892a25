/** Which of the app's catalogues suits a browser's language list (navigator.languages). */

export const appLocales = ['en', 'zh-CN'] as const;
export type AppLocale = (typeof appLocales)[number];
export const fallbackLocale: AppLocale = 'en';

/**
 * The first of the user's languages the app has: any Chinese but the traditional-script ones
 * reads the Simplified catalogue ("zh", "zh-CN", "zh-Hans-SG"), any English the English one.
 */
export function pickLocale(languages: readonly string[]): AppLocale {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || (lower.startsWith('zh-') && !/^zh-(hant|tw|hk|mo)\b/.test(lower))) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return fallbackLocale;
}

export function isAppLocale(value: unknown): value is AppLocale {
  return appLocales.some((locale) => locale === value);
}
