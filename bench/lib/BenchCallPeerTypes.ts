import type { TestSocket } from '../../test/support/client';

export interface BenchCallPeerOptions {
  name: string;
  uid: string;
  socket: TestSocket;
  /** The synthetic camera: small frames at a low rate (the generator shares the machine's cores). */
  camera: { width: number; height: number; fps: number };
  /** Whether this participant shows `uid`'s video (a tile on screen). */
  onScreen(uid: string): boolean;
  /** Hidden video consumed and paused server-side (the engine's videoOnDemand) rather than not consumed. */
  pauseHidden: boolean;
}
