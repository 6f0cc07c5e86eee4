/**
 * Live messages of a room may reach a client out of seq order (two server nodes publish them) or
 * not at all (a channel-layer restart). The tracker delivers them in order, waits a short window
 * for a missing seq, then recovers it with a rejoin, and announces what no rejoin can bring.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoomMessage } from '@switchboard/protocol';
import { Emitter } from './emitter.ts';
import { RoomTracker } from './room-tracker.ts';
import type { ChatGapEvent, ClientEvents } from './types.ts';

const WINDOW = 100;

function message(seq: number, room = 'lobby'): RoomMessage {
  return {
    room,
    seq,
    id: `m${seq}`,
    sender: { type: 'app', identity: 'test' },
    text: `m${seq}`,
    createdAt: new Date(0).toISOString(),
  } as RoomMessage;
}

function setup() {
  const emitter = new Emitter<ClientEvents>();
  const delivered: number[] = [];
  const gaps: ChatGapEvent[] = [];
  emitter.on('chat.message', (m) => delivered.push(m.seq));
  emitter.on('chat.gap', (gap) => gaps.push(gap));
  const rejoins: { room: string; since: number; answer: (value: unknown) => void }[] = [];
  const tracker = new RoomTracker({
    emitter,
    rejoin: (room, since) => new Promise((answer) => rejoins.push({ room, since, answer })),
    isOpen: () => true,
    reorderWindowMs: WINDOW,
  });
  const join = async (lastSeq: number) => {
    tracker.observe('chat.join', { room: 'lobby' }, Promise.resolve({ lastSeq, messages: [], more: false }));
    await Promise.resolve();
    await Promise.resolve();
  };
  return { tracker, delivered, gaps, rejoins, join };
}

describe('RoomTracker ordering', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('delivers a message that overtook another after it, in seq order', async () => {
    const { tracker, delivered, rejoins, join } = setup();
    await join(0);
    for (const seq of [1, 3, 2, 4]) tracker.message(message(seq));
    expect(delivered).toEqual([1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(WINDOW * 2);
    expect(rejoins).toEqual([]);
  });

  it('drops a seq it already delivered', async () => {
    const { tracker, delivered, join } = setup();
    await join(5);
    for (const seq of [5, 6, 6, 7]) tracker.message(message(seq));
    expect(delivered).toEqual([6, 7]);
  });

  it('recovers a seq still missing after the window with a rejoin since the last one seen', async () => {
    const { tracker, delivered, gaps, rejoins, join } = setup();
    await join(0);
    for (const seq of [1, 2, 4, 5]) tracker.message(message(seq));
    expect(delivered).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(WINDOW - 1);
    expect(rejoins).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(rejoins.map(({ room, since }) => ({ room, since }))).toEqual([{ room: 'lobby', since: 2 }]);
    tracker.message(message(6)); // arrives while the rejoin is in flight
    rejoins[0]!.answer({ lastSeq: 5, messages: [message(3), message(4), message(5)], more: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(gaps).toEqual([]);
  });

  it('announces as a gap what a room without history cannot bring back', async () => {
    const { tracker, delivered, gaps, rejoins, join } = setup();
    await join(0);
    for (const seq of [1, 4]) tracker.message(message(seq));
    await vi.advanceTimersByTimeAsync(WINDOW);
    rejoins[0]!.answer({ lastSeq: 4, messages: [], more: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(gaps).toEqual([{ room: 'lobby', from: 2, to: 3 }]);
    // 4 was received live and is delivered after the gap; what follows is live again.
    tracker.message(message(5));
    expect(delivered).toEqual([1, 4, 5]);
  });

  it('leaves no timer behind when the room is left or the tracker disposed', async () => {
    const { tracker, join } = setup();
    await join(0);
    tracker.message(message(3));
    expect(vi.getTimerCount()).toBe(1);
    tracker.observe('chat.leave', { room: 'lobby' }, Promise.resolve({}));
    expect(vi.getTimerCount()).toBe(0);
    await join(0);
    tracker.message(message(3));
    tracker.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
