/** The order the fixpoint visits blocks in: reverse postorder, kept in a priority queue. */
import type { Block } from '../ir/ir.js';

/** Each block's rank in a reverse postorder from the entry (normal and exceptional edges); unreachable blocks last. */
export function reversePostorderRanks(blocks: readonly Block[], entry: number): Int32Array {
  const ranks = new Int32Array(blocks.length).fill(blocks.length);
  const visited = new Uint8Array(blocks.length);
  const postorder: number[] = [];
  // Iterative depth-first search: functions can have thousands of blocks.
  const stack: [number, number][] = [[entry, 0]];
  visited[entry] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const block = blocks[top[0]];
    const successors = block.handler >= 0 ? [...block.next, block.handler] : block.next;
    if (top[1] < successors.length) {
      const next = successors[top[1]++];
      if (!visited[next]) {
        visited[next] = 1;
        stack.push([next, 0]);
      }
    } else {
      postorder.push(top[0]);
      stack.pop();
    }
  }
  for (let i = 0; i < postorder.length; i++) ranks[postorder[postorder.length - 1 - i]] = i;
  return ranks;
}

/** A priority queue of block ids, lowest rank first (a binary heap). */
export class BlockQueue {
  private readonly heap: number[] = [];

  constructor(private readonly ranks: Int32Array) {}

  get size(): number {
    return this.heap.length;
  }

  push(id: number): void {
    const heap = this.heap;
    let index = heap.push(id) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.less(heap[parent], id)) break;
      heap[index] = heap[parent];
      index = parent;
    }
    heap[index] = id;
  }

  pop(): number {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && this.less(heap[right], heap[left]) ? right : left;
        if (this.less(last, heap[child])) break;
        heap[index] = heap[child];
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.ranks[a];
    const rb = this.ranks[b];
    return ra < rb || (ra === rb && a < b);
  }
}
