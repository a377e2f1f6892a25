import type { Socket } from 'socket.io';
import type { ServerSideEvents } from '../cluster/ServerSideEvents';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events';
import type { SocketData } from './SocketData';

export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
