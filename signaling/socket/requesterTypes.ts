/**
 * Who asks, as the process holding the socket knows it: sent along with requests forwarded to
 * another process so it can check membership itself (the socket's `session:<id>` rooms, current at
 * the time of the request).
 */
export interface Requester {
  uid: string;
  nickname: string;
  socketId: string;
  /** Session ids of the socket's `session:<id>` rooms. */
  sessions: string[];
}
