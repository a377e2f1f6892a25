/** The one Socket.IO connection of the signed-in user, typed with the shared event maps. */
import { io, type Socket } from 'socket.io-client';
import { reactive, readonly } from 'vue';
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '@protocol';
import { expireSession } from './auth';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

const tokenErrors = new Set(['token_expired', 'token_invalid', 'token_revoked', 'unauthorized']);

const state = reactive({
  status: 'idle' as ConnectionStatus,
  /** Last connection error code, for the banner. */
  lastError: '' as string,
});

let socket: ChatSocket | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
const connectListeners = new Set<(socket: ChatSocket) => void>();

export const connection = {
  state: readonly(state),

  get socket(): ChatSocket | null {
    return socket;
  },

  /** Runs on every (re)connect, e.g. to sync missed messages. */
  onConnect(listener: (socket: ChatSocket) => void): () => void {
    connectListeners.add(listener);
    return () => connectListeners.delete(listener);
  },

  open(token: string): ChatSocket {
    connection.close();
    const auth: HandshakeAuth = { token };
    // websocket first: it needs no sticky sessions when the server runs several workers
    const created: ChatSocket = io({ auth, transports: ['websocket', 'polling'] });
    socket = created;
    state.status = 'connecting';
    state.lastError = '';

    created.on('connect', () => {
      state.status = 'connected';
      state.lastError = '';
      for (const listener of connectListeners) listener(created);
    });
    created.on('disconnect', (reason) => {
      if (socket !== created) return;
      state.status = 'reconnecting';
      // a server-side disconnect is not retried by socket.io itself
      if (reason === 'io server disconnect') scheduleRetry(created);
    });
    created.on('connect_error', (error) => {
      if (socket !== created) return;
      state.lastError = error.message;
      if (tokenErrors.has(error.message)) {
        connection.close();
        expireSession(error.message);
        return;
      }
      state.status = state.status === 'connecting' ? 'connecting' : 'reconnecting';
      // errors raised by server middleware stop socket.io's own retries
      if (!created.active) scheduleRetry(created);
    });
    created.io.on('reconnect_attempt', () => {
      if (socket === created && state.status !== 'connected') state.status = 'reconnecting';
    });
    return created;
  },

  /** Use a new token for the next handshakes, and reconnect with it now. */
  replaceToken(token: string): void {
    if (!socket) return;
    const auth: HandshakeAuth = { token };
    socket.auth = auth;
    socket.disconnect().connect();
  },

  close(): void {
    clearTimeout(retryTimer);
    if (socket) {
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
    }
    socket = null;
    state.status = 'idle';
  },
};

function scheduleRetry(target: ChatSocket): void {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    if (socket === target && !target.connected) target.connect();
  }, 2000 + Math.random() * 2000);
}
