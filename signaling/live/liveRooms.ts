/** A stream's Socket.IO room: its viewers (counted) and who hears its updates. */
export const liveRoom = (streamid: string): string => `live:${streamid}`;

/** A stream's media room id in the worker pool. */
export const mediaRoomId = (streamid: string): string => `live:${streamid}`;

/** The stream of a media room id, or null for a room that is no stream's (a call's). */
export const streamOfMediaRoom = (roomId: string): string | null => (roomId.startsWith('live:') ? roomId.slice('live:'.length) : null);
