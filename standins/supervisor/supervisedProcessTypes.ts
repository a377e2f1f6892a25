/** What every supervised development server writes to its <dir>/server.json. */
export interface SupervisedServerInfo {
  port: number;
  /** The process that owns the server (spawned detached by ensureSupervisedProcess). */
  pid: number;
}

/** A kind of supervised development server: how to start it and how to tell that it answers. */
export interface SupervisedServer {
  /** Names the server in errors, e.g. "the devmongo server". */
  name: string;
  /** True when a server on 127.0.0.1:port answers within timeoutMs. */
  ping: (port: number, timeoutMs: number) => Promise<boolean>;
  /** The server's entry: a TypeScript file run through tsx, or its bundle next to the compiled node. */
  entry: { source: string; bundle: string };
  /** The option that hands the server its folder (read by serverCommandLine.ts), e.g. `--dir`. */
  dirOption: string;
}

/** One request for a server of some kind. */
export interface SupervisedProcessOptions {
  /** Folder of this server: server.json, spawn.lock and server.log live there. */
  dir: string;
  /** Give up when no server answers within this time (default 30 s). */
  startTimeoutMs?: number;
  /** Environment of the spawned process (default: this one's). */
  env?: NodeJS.ProcessEnv;
  /** Runs under the spawn lock right before spawning (e.g. to stop an orphan of a killed server). */
  beforeSpawn?: () => void;
  /** Told the pid of a freshly spawned server. */
  onSpawned?: (pid: number) => void;
}

export interface SupervisedProcessResult<I extends SupervisedServerInfo> {
  info: I;
  /** True when this call spawned the server; false when a live one was reused. */
  started: boolean;
}
