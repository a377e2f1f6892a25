/** Another live server process already owns this data directory. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly ownerPid: number) {
    super(`devmongo data directory ${dataDir} is in use by process ${ownerPid}`);
    this.name = 'DataDirLockedError';
  }
}
