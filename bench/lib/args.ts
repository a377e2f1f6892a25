/** `--name value` flags with numeric defaults. */
export function numberArgs<T extends Record<string, number>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key in out && argv[i + 1] !== undefined) out[key] = Number(argv[++i]);
  }
  return out as T;
}

export function printJson(figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `--name 1,2,3`: a comma-separated list of numbers, or `fallback` when the flag is absent. */
export function listArg(name: string, fallback: number[], argv = process.argv.slice(2)): number[] {
  const at = argv.indexOf(`--${name}`);
  if (at < 0 || argv[at + 1] === undefined) return fallback;
  return argv[at + 1]!.split(',').map(Number).filter((n) => Number.isFinite(n));
}
