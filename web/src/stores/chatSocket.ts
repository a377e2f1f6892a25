/** The chat's side of the socket: server events into the stores, and what each (re)connect does. */
import { auth } from './auth';
import { blocks } from './blocks';
import { friends } from './friends';
import type { ChatSocket } from './connection';
import { applyUpdate, receive } from './incoming';
import { outbox } from './outbox';
import { presence } from './presence';
import { readMarkers } from './readMarkers';
import { sessions } from './sessions';
import { syncMissed } from './sync';
import { typing } from './typing';

export function wireChatEvents(socket: ChatSocket): void {
  socket.on('message', receive);
  socket.on('message:update', applyUpdate);
  socket.on('session:update', ({ session }) => {
    if (!session.uids.includes(auth.uid.value)) sessions.drop(session.sessionid);
    else sessions.upsert(session);
    if (sessions.state.members[session.sessionid]) sessions.fetchOne(session.sessionid).catch(() => undefined);
  });
  socket.on('session:removed', ({ sessionid }) => sessions.drop(sessionid));
  socket.on('presence', ({ uid, status, sessionid }) => presence.reported(uid, status, sessionid));
  socket.on('typing', ({ sessionid, uid }) => typing.reported(sessionid, uid));
  socket.on('friends:update', friends.updated);
  socket.on('read', readMarkers.reported);
}

/** Every (re)connect: catch up on what was missed, say our status again, send what waited. */
export async function onChatConnected(socket: ChatSocket): Promise<void> {
  try {
    if (!sessions.state.sessionsLoaded) await sessions.loadAll();
  } catch {
    /* the list shows its own error; sync still runs with what we know */
  }
  void syncMissed(socket).then((done) => {
    // conversations joined elsewhere while we were away
    if (done) sessions.loadAll().catch(() => undefined);
  });
  // the server forgets a chosen status when the connection drops: say it again
  presence.announce(socket);
  // friends and blocks may have changed while we were away (people, S26)
  friends.load().catch(() => undefined);
  blocks.load().catch(() => undefined);
  // what was written while offline (or never acknowledged) goes out now, in order
  outbox.flush();
}
