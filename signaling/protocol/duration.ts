/**
 * A duration as a clock, "0:07", "3:42", "1:05:09": the one formatter for call, voice message and
 * live stream durations, shared by the server's announcement texts and the web client.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
