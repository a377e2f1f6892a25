import type { Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events';
import type { SocketData } from './SocketData';

export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
