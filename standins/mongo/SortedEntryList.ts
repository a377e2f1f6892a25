/** Blocks are split beyond this size; small enough that a splice inside one is a cheap memmove. */
const MAX_BLOCK = 512;

/** A place in the list: block number and offset inside the block. `block === blocks.length` is the end. */
export interface ListPosition {
  block: number;
  offset: number;
}

/**
 * A sorted list of distinct entries stored as a list of sorted blocks, so inserts and deletes
 * cost O(log n + block size) and ranges can be walked in both directions from a binary search.
 */
export class SortedEntryList<T> {
  private blocks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.blocks = [];
    this.count = 0;
  }

  /**
   * The first position whose entry satisfies `atOrAfter`, which must be false for a prefix of
   * the list and true for the rest.
   */
  lowerBound(atOrAfter: (entry: T) => boolean): ListPosition {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid];
      if (atOrAfter(block[block.length - 1])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === blocks.length) return { block: lo, offset: 0 };
    const block = blocks[lo];
    let a = 0;
    let b = block.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (atOrAfter(block[mid])) b = mid;
      else a = mid + 1;
    }
    return { block: lo, offset: a };
  }

  /** lowerBound for "at or after `entry`" with the list's comparator (no closure: this is the write path). */
  positionOf(entry: T): ListPosition {
    const cmp = this.compare;
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid];
      if (cmp(block[block.length - 1], entry) >= 0) hi = mid;
      else lo = mid + 1;
    }
    if (lo === blocks.length) return { block: lo, offset: 0 };
    const block = blocks[lo];
    let a = 0;
    let b = block.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (cmp(block[mid], entry) >= 0) b = mid;
      else a = mid + 1;
    }
    return { block: lo, offset: a };
  }

  insert(entry: T): void {
    if (this.blocks.length === 0) {
      this.blocks.push([entry]);
      this.count = 1;
      return;
    }
    const pos = this.positionOf(entry);
    // Past the end: append to the last block.
    const blockNo = pos.block === this.blocks.length ? pos.block - 1 : pos.block;
    const block = this.blocks[blockNo];
    const offset = pos.block === this.blocks.length ? block.length : pos.offset;
    if (offset === block.length) block.push(entry);
    else block.splice(offset, 0, entry);
    this.count++;
    if (block.length > MAX_BLOCK) this.blocks.splice(blockNo + 1, 0, block.splice(MAX_BLOCK >>> 1));
  }

  /** Removes the entry equal (by the comparator) to `entry`; returns whether it was there. */
  remove(entry: T): boolean {
    const pos = this.positionOf(entry);
    if (pos.block === this.blocks.length) return false;
    const block = this.blocks[pos.block];
    if (this.compare(block[pos.offset], entry) !== 0) return false;
    if (pos.offset === block.length - 1) block.pop();
    else block.splice(pos.offset, 1);
    this.count--;
    if (block.length === 0) this.blocks.splice(pos.block, 1);
    return true;
  }

  /** Number of entries from `from` (inclusive) to `to` (exclusive). */
  countBetween(from: ListPosition, to: ListPosition): number {
    if (from.block === to.block) return Math.max(0, to.offset - from.offset);
    if (from.block > to.block) return 0;
    let n = this.blocks[from.block].length - from.offset;
    for (let b = from.block + 1; b < to.block; b++) n += this.blocks[b].length;
    if (to.block < this.blocks.length) n += to.offset;
    return n;
  }

  /** Calls `visit` on the entries from `from` onwards until it returns false or the list ends. */
  scan(from: ListPosition, visit: (entry: T) => boolean): void {
    const blocks = this.blocks;
    let offset = from.offset;
    for (let b = from.block; b < blocks.length; b++, offset = 0) {
      const block = blocks[b];
      for (let o = offset; o < block.length; o++) if (!visit(block[o])) return;
    }
  }

  /** Entries from `from` (inclusive) up to `to` (exclusive), in order. */
  *forward(from: ListPosition, to: ListPosition): Generator<T> {
    const blocks = this.blocks;
    let b = from.block;
    let o = from.offset;
    while (b < to.block || (b === to.block && o < to.offset)) {
      const block = blocks[b];
      if (!block) return;
      if (o >= block.length) {
        b++;
        o = 0;
        continue;
      }
      yield block[o++];
    }
  }

  /** Entries before `to` (exclusive) down to `from` (inclusive), in reverse order. */
  *backward(from: ListPosition, to: ListPosition): Generator<T> {
    const blocks = this.blocks;
    let b = to.block;
    let o = to.offset - 1;
    for (;;) {
      if (o < 0) {
        b--;
        if (b < from.block || b < 0) return;
        o = blocks[b].length - 1;
        continue;
      }
      if (b < from.block || (b === from.block && o < from.offset)) return;
      yield blocks[b][o--];
    }
  }
}
