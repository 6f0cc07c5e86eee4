import { describe, expect, it } from 'vitest';
import { MAX_BLOCK, MIN_BLOCK, SeqBlocks, TARGET_MS } from './seq-blocks.ts';

describe('seq blocks sized to a room traffic', () => {
  it('starts small, grows to cover TARGET_MS of a busy room, shrinks for a quiet one, within bounds', () => {
    const blocks = new SeqBlocks();
    let now = 1_000_000;
    expect(blocks.next('busy', now)).toBe(MIN_BLOCK);
    // 16 numbers used in 100 ms: 160/s, so 5 s of traffic is 800.
    now += 100;
    expect(blocks.next('busy', now)).toBe(Math.ceil((MIN_BLOCK * TARGET_MS) / 100));
    now += 10;
    expect(blocks.next('busy', now)).toBe(MAX_BLOCK);
    // The same room gone quiet: one block lasted a minute.
    now += 60_000;
    expect(blocks.next('busy', now)).toBe(Math.ceil((MAX_BLOCK * TARGET_MS) / 60_000));
    now += 600_000;
    expect(blocks.next('busy', now)).toBe(MIN_BLOCK);
    // Rooms are sized apart.
    expect(blocks.next('other', now)).toBe(MIN_BLOCK);
  });
});
