/**
 * The call bench's arithmetic, apart from the peers and the server so it can be checked on fixed
 * input: packet loss between two snapshots of the receivers' inbound-rtp counters, consumer objects
 * per mediasoup worker from `call:debug`, CPU from /proc, and the closing summary.
 */
import { readFileSync } from 'node:fs';

/** One receiving RTP stream's cumulative counters (inbound-rtp `packetsReceived`, `packetsLost`). */
export interface InboundCounters {
  kind: 'audio' | 'video';
  received: number;
  lost: number;
}

/** Every receiving stream at one moment, by a key unique over the peer connections. */
export type InboundSnapshot = Map<string, InboundCounters>;

export interface LossFigures {
  received: number;
  lost: number;
  /** lost / (received + lost), in percent; 0 when nothing was expected. */
  lossPct: number;
}

export interface StepLoss extends LossFigures {
  audio: LossFigures;
  video: LossFigures;
}

function lossOf(received: number, lost: number): LossFigures {
  // RTCP's cumulative loss goes negative with duplicates: a window never gains packets that way
  const l = Math.max(0, lost);
  const expected = received + l;
  return { received, lost: l, lossPct: expected > 0 ? Number(((100 * l) / expected).toFixed(3)) : 0 };
}

/**
 * Loss over a window: per stream, the growth of its counters between the snapshots (a stream that
 * appeared in the window counts from zero; one that went away is left out, its end is unknown).
 */
export function lossBetween(before: InboundSnapshot, after: InboundSnapshot): StepLoss {
  const sums = { audio: { received: 0, lost: 0 }, video: { received: 0, lost: 0 } };
  for (const [key, now] of after) {
    const then = before.get(key);
    sums[now.kind].received += now.received - (then?.received ?? 0);
    sums[now.kind].lost += now.lost - (then?.lost ?? 0);
  }
  const audio = lossOf(sums.audio.received, sums.audio.lost);
  const video = lossOf(sums.video.received, sums.video.lost);
  return { ...lossOf(audio.received + video.received, audio.lost + video.lost), audio, video };
}

/**
 * What the count reads of a process's `call:debug` view (CallDebugInfo): its workers, and per call
 * its worker or, for a call spread over workers, its part on each.
 */
export interface DebugView {
  workers: { pid: number; closed: boolean }[];
  calls: { workerPid: number | null; consumers: number; workers?: { workerPid: number; consumers: number }[] }[];
}

/**
 * Consumer objects per mediasoup worker pid, over every process (idle workers at 0): a call spread
 * over workers counts on each worker its part; a call on one worker, all on its worker.
 */
export function consumersPerWorker(processes: DebugView[]): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (pid: number, consumers: number) => {
    out[String(pid)] = (out[String(pid)] ?? 0) + consumers;
  };
  for (const proc of processes) {
    for (const w of proc.workers) if (!w.closed) add(w.pid, 0);
    for (const call of proc.calls) {
      if (call.workers?.length) for (const part of call.workers) add(part.workerPid, part.consumers);
      else if (call.workerPid !== null) add(call.workerPid, call.consumers);
    }
  }
  return out;
}

/** utime + stime of a process, in milliseconds (clock ticks of 10 ms), or null once it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** What one ramp step printed, as far as the summary needs it. */
export interface StepFigures {
  mediaWorkers: number;
  participants: number;
  lossPct: number;
  consumersPerWorker: Record<string, number>;
}

export interface CallBenchSummary {
  /** Per MEDIA_WORKERS value: the largest call held under the loss bound (0: none). */
  largestCallUnderLoss: Record<string, number>;
  /** The most consumer objects one worker carried in a step under the loss bound. */
  maxConsumersPerWorkerUnderLoss: number;
}

export function summarize(steps: StepFigures[], maxLossPct: number): CallBenchSummary {
  const largest: Record<string, number> = {};
  let maxConsumers = 0;
  for (const step of steps) {
    const key = String(step.mediaWorkers);
    largest[key] ??= 0;
    if (step.lossPct >= maxLossPct) continue;
    largest[key] = Math.max(largest[key], step.participants);
    maxConsumers = Math.max(maxConsumers, ...Object.values(step.consumersPerWorker), 0);
  }
  return { largestCallUnderLoss: largest, maxConsumersPerWorkerUnderLoss: maxConsumers };
}
