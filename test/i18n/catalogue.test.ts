/**
 * The web client's catalogues (web/src/i18n): English and Chinese have the same keys, each
 * message the same placeholders in both, every message compiles, and every key the sources
 * name literally (`$t('a.b')`, `t('a.b')`) exists.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { baseCompile } from '@intlify/message-compiler';
import en from '../../web/src/i18n/en';
import zhCN from '../../web/src/i18n/zh-CN';
import { pickLocale } from '../../web/src/i18n/pickLocale';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

/** `{name}` placeholders of a message (literal interpolations such as {'@'} are not names). */
function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*\}/g)].map((m) => m[1]!))].sort();
}

const english = flatten(en);
const chinese = flatten(zhCN);

test('English and Chinese have the same keys', () => {
  assert.deepEqual([...chinese.keys()].filter((k) => !english.has(k)), [], 'keys only in zh-CN');
  assert.deepEqual([...english.keys()].filter((k) => !chinese.has(k)), [], 'keys only in en');
});

/**
 * An error's `{detail}` is the server's own (English) words about a refusal: English shows them,
 * Chinese says it in a sentence of its own (web/src/i18n/errorText.ts).
 */
const serverWords = (key: string, names: string[]) => (key.startsWith('errors.') ? names.filter((name) => name !== 'detail') : names);

test('each message has the same placeholders in both languages', () => {
  const mismatched = [...english].filter(
    ([key, text]) => serverWords(key, placeholders(text)).join() !== serverWords(key, placeholders(chinese.get(key) ?? '')).join(),
  );
  assert.deepEqual(mismatched.map(([key]) => key), []);
  const detailInChinese = [...chinese].filter(([key, text]) => key.startsWith('errors.') && placeholders(text).includes('detail'));
  assert.deepEqual(detailInChinese.map(([key]) => key), [], 'the server\'s English words shown in Chinese');
});

test('every message compiles, and no Chinese message is left in English', () => {
  for (const [locale, messages] of [['en', english], ['zh-CN', chinese]] as const) {
    for (const [key, text] of messages) {
      const errors: string[] = [];
      baseCompile(text, { jit: true, location: false, onError: (e) => errors.push(e.message) });
      assert.deepEqual(errors, [], `${locale} ${key}`);
    }
  }
  // Brand names and units may be the same; a sentence in Latin letters only is an untranslated one.
  const sameAsEnglish = [...chinese].filter(([key, text]) => text === english.get(key) && /[a-z]{3,}\s+[a-z]{2,}/i.test(text));
  assert.deepEqual(sameAsEnglish.map(([key]) => key), []);
});

const sections = new Set(Object.keys(en));

test('every key the web client names exists in the catalogue', () => {
  const root = fileURLToPath(new URL('../../web/src/', import.meta.url));
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(vue|ts)$/.test(f) && !f.startsWith('i18n'));
  const missing: string[] = [];
  for (const file of files) {
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const match of source.matchAll(/(?:\$t|\bt|\bte)\(\s*'([a-zA-Z][\w.]*)'/g)) {
      const key = match[1]!;
      if (key.includes('.') && !english.has(key)) missing.push(`${file}: ${key}`);
    }
    // keys kept to be said later (stores, notices: web/src/i18n/localText.ts): any quoted
    // 'section.path' whose section is one of the catalogue's
    for (const match of source.matchAll(/'([a-z][A-Za-z]*(?:\.[A-Za-z_]+)+)'/g)) {
      const key = match[1]!;
      if (sections.has(key.split('.')[0]!) && !english.has(key)) missing.push(`${file}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the locale follows the browser, Chinese variants to Simplified, else English', () => {
  assert.equal(pickLocale(['zh-CN', 'en']), 'zh-CN');
  assert.equal(pickLocale(['zh']), 'zh-CN');
  assert.equal(pickLocale(['zh-Hans-SG']), 'zh-CN');
  assert.equal(pickLocale(['fr-FR', 'zh-CN']), 'zh-CN');
  assert.equal(pickLocale(['en-GB', 'zh-CN']), 'en');
  assert.equal(pickLocale(['zh-TW']), 'en');
  assert.equal(pickLocale(['de']), 'en');
  assert.equal(pickLocale([]), 'en');
});
