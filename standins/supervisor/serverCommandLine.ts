/** What a supervised server is started with: `<dirOption> <dir> [--port N]`. */
export interface ServerCommandLine {
  /** The server's folder (server.json, its data and logs). */
  dir: string;
  /** 0: any free port. */
  port: number;
}

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Reads this process's command line; prints the usage and exits with 2 when the folder is missing. */
export function parseServerCommandLine(dirOption: string, program: string): ServerCommandLine {
  const dir = argValue(dirOption);
  if (!dir) {
    process.stderr.write(`usage: ${program} ${dirOption} <dir> [--port N]\n`);
    process.exit(2);
  }
  return { dir, port: Number(argValue('--port') ?? 0) };
}
