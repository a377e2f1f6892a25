/**
 * Bundles the Twemoji SVG set (npm @twemoji/svg) into the build instead of loading it from a CDN.
 * - every SVG is emitted as a static asset under assets/twemoji-<version>/ (the version in the path
 *   busts caches when the set changes); the dev server serves the same path from node_modules;
 * - `virtual:twemoji` exports the asset base URL and the set of available file names, so text
 *   rendering falls back to the plain character when an emoji has no graphic;
 * - `virtual:twemoji-catalog` exports the picker's categories, computed here so the browser never
 *   downloads the full unicode data file (imported lazily with the picker).
 */
import { readFileSync, readdirSync, createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse as parseEmoji } from '@twemoji/parser';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const svgDir = dirname(require.resolve('@twemoji/svg/package.json'));
const svgVersion = (JSON.parse(readFileSync(join(svgDir, 'package.json'), 'utf8')) as { version: string }).version;
const groupsFile = require.resolve('unicode-emoji-json/data-by-group.json');
// the Chinese names of the picker's emoji (the client's other language)
const chineseFile = require.resolve('emojibase-data/zh/compact.json');

const VIRTUAL_SET = 'virtual:twemoji';
const VIRTUAL_CATALOG = 'virtual:twemoji-catalog';

interface UnicodeGroup {
  name: string;
  slug: string;
  emojis: { emoji: string; name: string; slug: string }[];
}

/**
 * Category tabs of the picker: a representative emoji each (the label is the client's, in the
 * user's language: `emoji.group.<slug>` in web/src/i18n).
 */
const pickerGroups: Record<string, { icon: string }> = {
  smileys_emotion: { icon: '😀' },
  people_body: { icon: '👋' },
  animals_nature: { icon: '🐻' },
  food_drink: { icon: '🍔' },
  activities: { icon: '⚽' },
  travel_places: { icon: '✈️' },
  objects: { icon: '💡' },
  symbols: { icon: '❤️' },
  flags: { icon: '🏁' },
};

function codepointsOf(emoji: string): string | undefined {
  let found: string | undefined;
  parseEmoji(emoji, { buildUrl: (codepoints) => (found ??= codepoints) });
  return found;
}

export function twemojiPlugin(): Plugin {
  const files = readdirSync(svgDir).filter((f) => f.endsWith('.svg'));
  const names = new Set(files.map((f) => f.slice(0, -4)));
  let base = '/';
  const assetDir = `assets/twemoji-${svgVersion}`;

  return {
    name: 'cookim-twemoji',
    configResolved(config) {
      base = config.base;
    },
    resolveId(id) {
      if (id === VIRTUAL_SET || id === VIRTUAL_CATALOG) return '\0' + id;
      return null;
    },
    load(id) {
      if (id === '\0' + VIRTUAL_SET) {
        return [
          `export const twemojiBaseUrl = ${JSON.stringify(`${base}${assetDir}/`)};`,
          `export const twemojiNames = new Set(${JSON.stringify([...names].join(','))}.split(','));`,
        ].join('\n');
      }
      if (id === '\0' + VIRTUAL_CATALOG) {
        // by the character without variation selectors: the two data sets differ in those
        const bare = (emoji: string) => emoji.replace(/\uFE0F/g, '');
        const chinese = new Map(
          (JSON.parse(readFileSync(chineseFile, 'utf8')) as { unicode: string; label: string }[]).map((e) => [bare(e.unicode), e.label]),
        );
        const groups = (JSON.parse(readFileSync(groupsFile, 'utf8')) as UnicodeGroup[])
          .filter((g) => pickerGroups[g.slug])
          .map((g) => ({
            slug: g.slug,
            icon: pickerGroups[g.slug]!.icon,
            // [character, English name, Chinese name]: only emoji that have a Twemoji graphic
            emojis: g.emojis
              .filter((e) => {
                const cp = codepointsOf(e.emoji);
                return cp !== undefined && names.has(cp);
              })
              .map((e) => [e.emoji, e.name, chinese.get(bare(e.emoji)) ?? e.name] as const),
          }));
        return `export const emojiCatalog = ${JSON.stringify(groups)};`;
      }
      return null;
    },
    configureServer(server) {
      const prefix = `${base}${assetDir}/`;
      server.middlewares.use((req, res, next) => {
        const url = req.url?.split('?')[0] ?? '';
        if (!url.startsWith(prefix)) return next();
        const name = url.slice(prefix.length);
        if (!name.endsWith('.svg') || !names.has(name.slice(0, -4))) return next();
        res.setHeader('Content-Type', 'image/svg+xml');
        res.setHeader('Cache-Control', 'public, max-age=86400');
        createReadStream(join(svgDir, name)).pipe(res);
      });
    },
    generateBundle() {
      for (const file of files) {
        this.emitFile({ type: 'asset', fileName: `${assetDir}/${file}`, source: readFileSync(join(svgDir, file)) });
      }
    },
  };
}
