/**
 * Who is on screen in a large call (web/src/lib/callStage.ts, S28): the grid keeps the most recent
 * active speakers in stable slots; a new speaker replaces the least recent one, nobody else moves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrangeStage, emptyStage, offStage, speakerChanged } from '../../web/src/lib/callStage';

const people = ['a', 'b', 'c', 'd', 'e', 'f'];

test('the grid starts with the earliest joiners, the rest off stage in join order', () => {
  const stage = arrangeStage(emptyStage(), people, 3);
  assert.deepEqual(stage.slots, ['a', 'b', 'c']);
  assert.deepEqual(offStage(stage, people), ['d', 'e', 'f']);
  // fewer people than slots: everyone is on the grid
  assert.deepEqual(arrangeStage(emptyStage(), ['a', 'b'], 3).slots, ['a', 'b']);
});

test('a new speaker takes the least recent speaker’s slot; the others stay where they are', () => {
  let stage = arrangeStage(emptyStage(), people, 3);
  stage = speakerChanged(stage, 'b', people, 3);
  stage = speakerChanged(stage, 'a', people, 3);
  assert.deepEqual(stage.slots, ['a', 'b', 'c'], 'speakers already on the grid do not move');
  // c never spoke: it is the least recent, e takes its slot
  stage = speakerChanged(stage, 'e', people, 3);
  assert.deepEqual(stage.slots, ['a', 'b', 'e']);
  // now b spoke least recently (a after b, then e)
  stage = speakerChanged(stage, 'f', people, 3);
  assert.deepEqual(stage.slots, ['a', 'f', 'e']);
  assert.deepEqual(stage.recency, ['f', 'e', 'a', 'b']);
  assert.deepEqual(offStage(stage, people), ['b', 'c', 'd']);
  // the same speaker again: nothing moves
  assert.deepEqual(speakerChanged(stage, 'f', people, 3).slots, ['a', 'f', 'e']);
  // nobody speaking (null) or someone unknown: nothing moves
  assert.deepEqual(speakerChanged(stage, null, people, 3).slots, ['a', 'f', 'e']);
  assert.deepEqual(speakerChanged(stage, 'zed', people, 3).slots, ['a', 'f', 'e']);
});

test('someone leaving frees a slot for the most recent speaker off the grid', () => {
  let stage = arrangeStage(emptyStage(), people, 3);
  for (const uid of ['d', 'a', 'b', 'c']) stage = speakerChanged(stage, uid, people, 3);
  // d took c's slot (nobody had spoken), then c took back d's (d spoke least recently)
  assert.deepEqual(stage.slots, ['a', 'b', 'c']);
  const left = people.filter((u) => u !== 'b');
  stage = arrangeStage(stage, left, 3);
  assert.deepEqual(stage.slots, ['a', 'c', 'd'], 'd, the most recent speaker off the grid, fills the free slot');
  assert.ok(!stage.recency.includes('b'));
});
