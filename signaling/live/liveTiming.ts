/** The owner refreshes its streams' records this often; a record not refreshed for STALE_MS is a dead stream. */
export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 20_000;
/** How long a publisher has to send its tracks again after its media moved to another worker. */
export const RECONNECT_MS = 30_000;
