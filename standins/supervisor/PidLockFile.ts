import fs from 'node:fs';

/**
 * A lock file created with open(..., 'wx') holding the owner's pid. A lock whose owner process
 * is gone (or that is older than `maxAgeMs`, if given) is stale and may be taken over.
 */
export class PidLockFile {
  constructor(
    readonly file: string,
    private readonly maxAgeMs?: number,
  ) {}

  static isProcessAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** The pid recorded in the lock file, or null if there is none. */
  ownerPid(): number | null {
    try {
      const pid = parseInt(fs.readFileSync(this.file, 'utf8'), 10);
      return Number.isFinite(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  /** Tries once; returns false when a live owner holds the lock. Removes a stale lock first. */
  tryAcquire(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(this.file, 'wx');
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (!this.isStale()) return false;
      try {
        fs.unlinkSync(this.file);
      } catch {
        // Someone else removed it first; retry the create.
      }
    }
    return false;
  }

  private isStale(): boolean {
    const pid = this.ownerPid();
    let ageMs = 0;
    try {
      ageMs = Date.now() - fs.statSync(this.file).mtimeMs;
    } catch {
      return true;
    }
    // An empty file is a lock whose owner has not written its pid yet; give it a moment.
    if (pid === null) return ageMs > 5000;
    if (!PidLockFile.isProcessAlive(pid)) return true;
    return this.maxAgeMs !== undefined && ageMs > this.maxAgeMs;
  }

  release(): void {
    try {
      if (this.ownerPid() === process.pid) fs.unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }
}
