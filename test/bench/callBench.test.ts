/**
 * The call bench's arithmetic on fixed input (bench/lib/callFigures.ts): loss between two snapshots
 * of the receivers' counters, consumer objects per worker from call:debug (a call on one worker, and
 * a call spread over workers, which reports its part on each worker), and the closing summary.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listArg } from '../../bench/lib/args';
import { consumersPerWorker, lossBetween, summarize, type DebugView, type InboundSnapshot, type StepFigures } from '../../bench/lib/callFigures';

test('loss is lost / (received + lost) over the window, per kind and in all', () => {
  const before: InboundSnapshot = new Map([
    ['1:100', { kind: 'audio', received: 1000, lost: 5 }],
    ['1:200', { kind: 'video', received: 500, lost: 0 }],
    ['2:300', { kind: 'video', received: 50, lost: 1 }],
  ]);
  const after: InboundSnapshot = new Map([
    ['1:100', { kind: 'audio', received: 1396, lost: 9 }], // +396 received, +4 lost: 1 %
    ['1:200', { kind: 'video', received: 1100, lost: 0 }], // +600, none lost
    // 2:300 went away in the window: left out; 3:400 appeared: counted from zero
    ['3:400', { kind: 'video', received: 200, lost: 0 }],
  ]);
  const loss = lossBetween(before, after);
  assert.deepEqual(loss.audio, { received: 396, lost: 4, lossPct: 1 });
  assert.deepEqual(loss.video, { received: 800, lost: 0, lossPct: 0 });
  assert.equal(loss.received, 1196);
  assert.equal(loss.lost, 4);
  assert.equal(loss.lossPct, 0.333);
});

test('duplicates (a falling cumulative loss) never make loss negative; nothing expected is no loss', () => {
  const before: InboundSnapshot = new Map([['1:1', { kind: 'audio', received: 100, lost: 3 }]]);
  const after: InboundSnapshot = new Map([['1:1', { kind: 'audio', received: 200, lost: 1 }]]);
  assert.equal(lossBetween(before, after).lossPct, 0);
  assert.deepEqual(lossBetween(new Map(), new Map()), {
    received: 0,
    lost: 0,
    lossPct: 0,
    audio: { received: 0, lost: 0, lossPct: 0 },
    video: { received: 0, lost: 0, lossPct: 0 },
  });
});

const worker = (pid: number) => ({ pid, closed: false });
const callOn = (workerPid: number | null, consumers: number) => ({ workerPid, consumers });

test("consumers per worker: a call's consumers count on its worker; idle and closed workers show as such", () => {
  const processes: DebugView[] = [
    { workers: [worker(11), worker(12), { ...worker(13), closed: true }], calls: [callOn(11, 380), callOn(null, 0)] },
    { workers: [worker(21)], calls: [callOn(21, 40)] },
  ];
  assert.deepEqual(consumersPerWorker(processes), { '11': 380, '12': 0, '21': 40 });
});

test('consumers per worker: a call spread over workers counts its part on each', () => {
  const spread = { ...callOn(11, 580), workers: [{ workerPid: 11, consumers: 300 }, { workerPid: 12, consumers: 280 }] };
  const processes = [{ workers: [worker(11), worker(12)], calls: [spread, callOn(12, 20)] }];
  assert.deepEqual(consumersPerWorker(processes), { '11': 300, '12': 300 });
});

test('the summary keeps the steps under the loss bound, per worker count', () => {
  const steps: StepFigures[] = [
    { mediaWorkers: 1, participants: 8, lossPct: 0.2, consumersPerWorker: { '11': 128 } },
    { mediaWorkers: 1, participants: 12, lossPct: 0.9, consumersPerWorker: { '11': 240 } },
    { mediaWorkers: 1, participants: 16, lossPct: 3.5, consumersPerWorker: { '11': 384 } },
    { mediaWorkers: 2, participants: 16, lossPct: 0.5, consumersPerWorker: { '21': 200, '22': 184 } },
    { mediaWorkers: 3, participants: 2, lossPct: 1, consumersPerWorker: { '31': 4 } },
  ];
  assert.deepEqual(summarize(steps, 1), { largestCallUnderLoss: { '1': 12, '2': 16, '3': 0 }, maxConsumersPerWorkerUnderLoss: 240 });
});

test('list flags: comma-separated numbers, or the default', () => {
  assert.deepEqual(listArg('steps', [2], ['--workers', '1,2', '--steps', '4,8,12']), [4, 8, 12]);
  assert.deepEqual(listArg('steps', [2, 4], ['--workers', '1']), [2, 4]);
});
