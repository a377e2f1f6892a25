// `npm run lint:imports`: checks the import rules of .dependency-cruiser.cjs (no circles, the tiers'
// direction, the stand-ins' seam) over the server and the web client. Prints one line per violation
// and exits 1 when there is any. Uses dependency-cruiser's JavaScript API rather than its command
// line, which needs a newer Node than the product's.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each part is cruised with its own tsconfig (the web client resolves `@protocol` and `@/`). */
const PARTS = [
  { name: 'server', sources: ['signaling', 'storage', 'media', 'standins'], tsConfig: 'tsconfig.json' },
  { name: 'web', sources: ['web/src'], tsConfig: 'web/tsconfig.json' },
];

/**
 * Cruises every part and returns the rule violations as readable lines, e.g.
 * "no-circular: signaling/a.ts -> signaling/b.ts -> signaling/a.ts".
 * @returns {Promise<string[]>}
 */
export async function findImportViolations() {
  const previousDir = process.cwd();
  process.chdir(root);
  try {
    const lines = [];
    for (const part of PARTS) {
      const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
      options.tsConfig = { fileName: part.tsConfig };
      const { output } = await cruise(part.sources, options, {}, { tsConfig: extractTSConfig(part.tsConfig) });
      for (const v of output.summary.violations) lines.push(describe(v));
    }
    return [...new Set(lines)].sort();
  } finally {
    process.chdir(previousDir);
  }
}

function describe(violation) {
  const { rule, from, to, cycle } = violation;
  if (cycle?.length) return `${rule.name}: ${[from, ...cycle.map((step) => step.name ?? step)].join(' -> ')}`;
  return `${rule.name}: ${from} -> ${to}`;
}

function isMain() {
  return process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
}

if (isMain()) {
  const violations = await findImportViolations();
  for (const line of violations) process.stdout.write(`${line}\n`);
  process.stdout.write(violations.length ? `${violations.length} import rule violation(s)\n` : 'import rules: no violations\n');
  process.exit(violations.length ? 1 : 0);
}
