// The lock that keeps concurrent callers (test runs, `npm start`, helpers on one machine) from
// downloading or building the same worker twice: an exclusively created file holding
// {pid, host, since}. A lock whose process is gone (same host) or that is older than LOCK_STALE_MS
// is taken over.
import fs from 'node:fs';
import os from 'node:os';

const LOCK_STALE_MS = 60 * 60 * 1000;

function readLock(lockFile) {
  try {
    return JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  } catch {
    return null;
  }
}

function lockIsStale(info, lockFile) {
  if (!info) {
    // Unreadable: either being written right now or garbage. Judge by age.
    try {
      return Date.now() - fs.statSync(lockFile).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  if (Date.now() - info.since > LOCK_STALE_MS) return true;
  if (info.host !== os.hostname()) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}

/** Waits until this process holds `lockFile`; resolves to the function that releases it. */
export async function acquireWorkerLock(lockFile, log) {
  let lastNotice = 0;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), since: Date.now() }));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (readLock(lockFile)?.pid === process.pid) fs.unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const info = readLock(lockFile);
    if (lockIsStale(info, lockFile)) {
      log(`removing stale lock ${lockFile}`);
      try {
        fs.unlinkSync(lockFile);
      } catch {
        // someone else removed it
      }
      continue;
    }
    if (Date.now() - lastNotice > 30_000) {
      log(`waiting for another process (pid ${info?.pid ?? '?'}) that is preparing the worker (${lockFile})`);
      lastNotice = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
