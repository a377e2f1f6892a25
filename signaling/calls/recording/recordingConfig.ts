/** Bounds on call recordings, from the environment (read once per process). */
export interface RecordingLimits {
  /** A recording stops by itself after this long (CALL_RECORD_MAX_SECONDS, default 4 h). */
  maxSeconds: number;
  /** Recordings one server process runs at once (CALL_RECORDINGS_MAX, default 4). */
  maxConcurrent: number;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return value;
}

export function recordingLimits(): RecordingLimits {
  return { maxSeconds: positiveInt('CALL_RECORD_MAX_SECONDS', 4 * 3600), maxConcurrent: positiveInt('CALL_RECORDINGS_MAX', 4) };
}
