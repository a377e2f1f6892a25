/** DATA_DIR/redis/server.json: where the embedded Redis of a data directory listens. */
export interface EmbeddedRedisInfo {
  port: number;
  /** The supervisor process (standins/redis/embeddedRedisMain.ts). */
  pid: number;
  /** The redis-server process it runs. */
  redisPid: number;
  url: string;
  startedAt: string;
}
