/** What the server keeps on each socket after the handshake. */
export interface SocketData {
  uid: string;
  nickname: string;
  tokenVersion: number;
  /** When this socket's online record was last written (ms); the sender must be online (S17). */
  onlineAt: number;
  /** An online record refresh is under way (one at a time per socket). */
  refreshing?: boolean;
}
