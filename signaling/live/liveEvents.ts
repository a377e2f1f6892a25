import {
  LiveCreatePayload,
  LiveProducePayload,
  LiveRefPayload,
  LiveRtcConnectPayload,
  LiveRtcConsumePayload,
  LiveTransportConnectPayload,
  type LiveClientEvents,
} from '../protocol/live';
import type { EventTable } from '../socket/eventTable';
import { requesterOf } from '../socket/requester';
import type { LiveEnding } from './LiveEnding';
import type { LiveHandover } from './LiveHandover';
import type { LivePublishing } from './LivePublishing';
import type { LiveRtcRouter } from './LiveRtcRouter';
import type { LiveWatching } from './LiveWatching';

export type LiveEvent = keyof LiveClientEvents;

/**
 * Every live stream event with its schema and handler (typed against ClientToServerEvents): the
 * one place they are named on the server. Publishing is answered by the process the publisher's
 * socket is on; watching works on any process, from the stream's record.
 */
export function liveEvents(
  publishing: LivePublishing,
  handover: LiveHandover,
  ending: LiveEnding,
  watching: LiveWatching,
  rtc: LiveRtcRouter,
): EventTable<LiveEvent> {
  return {
    'live:create': { schema: LiveCreatePayload, handle: (socket, p) => publishing.create(requesterOf(socket), p) },
    'live:transport:connect': { schema: LiveTransportConnectPayload, handle: (socket, p) => publishing.connect(requesterOf(socket), p) },
    'live:produce': { schema: LiveProducePayload, handle: (socket, p) => publishing.produce(requesterOf(socket), p) },
    'live:start': { schema: LiveRefPayload, handle: (socket, p) => publishing.start(requesterOf(socket), p.streamid) },
    'live:resume': { schema: LiveRefPayload, handle: (socket, p) => handover.resume(requesterOf(socket), p.streamid) },
    'live:stop': { schema: LiveRefPayload, handle: (socket, p) => ending.stop(requesterOf(socket), p.streamid) },
    'live:watch': { schema: LiveRefPayload, handle: (socket, p) => watching.watch(socket, p.streamid) },
    'live:unwatch': { schema: LiveRefPayload, handle: (socket, p) => watching.unwatch(socket, p.streamid) },
    // real-time viewing (S27): answered by the process that runs the stream, wherever the socket is
    'live:watchRtc': { schema: LiveRefPayload, handle: (socket, p) => rtc.watch(socket, p) },
    'live:watchRtcConnect': { schema: LiveRtcConnectPayload, handle: (socket, p) => rtc.connect(socket, p) },
    'live:watchRtcConsume': { schema: LiveRtcConsumePayload, handle: (socket, p) => rtc.consume(socket, p) },
    'live:watchRtcResume': { schema: LiveRefPayload, handle: (socket, p) => rtc.resume(socket, p) },
    'live:unwatchRtc': { schema: LiveRefPayload, handle: (socket, p) => rtc.unwatch(socket, p) },
  };
}
