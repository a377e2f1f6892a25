/**
 * Compiles the i18n catalogues (web/src/i18n/<locale>.ts) at build time into vue-i18n message
 * ASTs, so the browser runs vue-i18n's runtime-only build: no message compiler ships, and the
 * strict Content-Security-Policy needs nothing more. A catalogue is a plain object of strings
 * without runtime imports; it is evaluated here once and replaced by its compiled form.
 */
import { baseCompile, type CompileError } from '@intlify/message-compiler';
import type { Plugin } from 'vite';

const CATALOGUE = /[\\/]web[\\/]src[\\/]i18n[\\/](en|zh-CN)\.ts$/;

type Catalogue = { [key: string]: string | Catalogue };

function compileTree(tree: Catalogue, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const where = path ? `${path}.${key}` : key;
    if (typeof value !== 'string') {
      out[key] = compileTree(value, where);
      continue;
    }
    const errors: CompileError[] = [];
    const { ast } = baseCompile(value, { jit: true, minify: true, location: false, onError: (e) => errors.push(e) });
    if (errors.length) throw new Error(`i18n message ${where}: ${errors.map((e) => e.message).join('; ')}`);
    out[key] = ast;
  }
  return out;
}

export function precompileMessagesPlugin(): Plugin {
  return {
    name: 'cookim-precompile-messages',
    // after Vite's own TypeScript transform: `code` is plain JavaScript here
    async transform(code, id) {
      if (!CATALOGUE.test(id)) return null;
      const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { default: Catalogue };
      return { code: `export default ${JSON.stringify(compileTree(module.default, ''))};\n`, map: null };
    },
  };
}
