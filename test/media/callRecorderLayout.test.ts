import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gridTiles, MAX_TILES, segmentFilterGraph } from '../../media/CallRecorderLayout';

test('1 to 9 tiles fit the canvas without overlapping, at even sizes', () => {
  for (let n = 1; n <= MAX_TILES; n++) {
    const tiles = gridTiles(n, 960, 540);
    assert.equal(tiles.length, n);
    for (const [i, a] of tiles.entries()) {
      assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= 960 && a.y + a.height <= 540, `${n} tiles: #${i} ${JSON.stringify(a)} inside`);
      assert.ok(a.width % 2 === 0 && a.height % 2 === 0 && a.x % 2 === 0 && a.y % 2 === 0, `${n} tiles: even numbers`);
      for (const b of tiles.slice(i + 1)) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `${n} tiles overlap: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
      }
    }
  }
  assert.deepEqual(gridTiles(1, 960, 540), [{ x: 0, y: 0, width: 960, height: 540 }]);
  assert.equal(gridTiles(12, 960, 540).length, MAX_TILES);
});

test('the filter graph stacks two videos or more, mixes two voices or more, and stands in for what is missing', () => {
  const two = segmentFilterGraph({ videos: [0, 1], audios: [2, 3], width: 960, height: 540, fps: 15, blankVideoInput: -1, silenceInput: -1 });
  assert.match(two, /xstack=inputs=2:layout=0_\d+\|480_\d+/);
  assert.match(two, /amix=inputs=2/);
  assert.match(two, /\[v\]/);
  assert.match(two, /\[a\]/);
  const one = segmentFilterGraph({ videos: [0], audios: [1], width: 960, height: 540, fps: 15, blankVideoInput: -1, silenceInput: -1 });
  assert.doesNotMatch(one, /xstack|amix/);
  const voiceOnly = segmentFilterGraph({ videos: [], audios: [0], width: 960, height: 540, fps: 15, blankVideoInput: 1, silenceInput: -1 });
  assert.match(voiceOnly, /\[1:v\]format=yuv420p\[v\]/);
  const silent = segmentFilterGraph({ videos: [0], audios: [], width: 960, height: 540, fps: 15, blankVideoInput: -1, silenceInput: 1 });
  assert.match(silent, /\[1:a\]aformat/);
});
