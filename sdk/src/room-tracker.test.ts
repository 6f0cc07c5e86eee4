/**
 * The room tracker against a fake host: each room's messages delivered once and in seq order,
 * live messages held while a join is in flight, a rejoin with `since` filling what was missed
 * (and reporting a gap it could not), and rooms forgotten on leave or a refused rejoin.
 */
import type { RoomMessage } from '@switchboard/protocol';
import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter.ts';
import { SwitchboardError } from './errors.ts';
import { RoomTracker } from './room-tracker.ts';
import type { ClientEvents } from './types.ts';

function message(room: string, seq: number): RoomMessage {
  return {
    id: `${room}-${seq}`,
    room,
    seq,
    sender: { type: 'user', identity: 'bob' },
    text: `#${seq}`,
    createdAt: '2026-12-01T00:00:00.000Z',
  };
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A tracker on a fake client: records what it emits and the rejoins it asks for, which the test answers. */
function tracker() {
  const emitter = new Emitter<ClientEvents>();
  const delivered: string[] = [];
  const gaps: ClientEvents['chat.gap'][] = [];
  const rejoinFailures: ClientEvents['chat.rejoinFailed'][] = [];
  emitter.on('chat.message', (m) => delivered.push(`${m.room}#${m.seq}`));
  emitter.on('chat.gap', (gap) => gaps.push(gap));
  emitter.on('chat.rejoinFailed', (failure) => rejoinFailures.push(failure));
  const rejoins: { room: string; since: number; answer: ReturnType<typeof deferred<unknown>> }[] = [];
  let open = true;
  const rooms = new RoomTracker({
    emitter,
    isOpen: () => open,
    rejoin: (room, since) => {
      const answer = deferred<unknown>();
      rejoins.push({ room, since, answer });
      return answer.promise;
    },
  });
  /** The app's own `chat.join`; resolve its answer to finish it. */
  const join = (room: string) => {
    const answer = deferred<unknown>();
    rooms.observe('chat.join', { room }, answer.promise);
    return answer;
  };
  return { rooms, delivered, gaps, rejoinFailures, rejoins, join, setOpen: (value: boolean) => void (open = value) };
}

/** Lets the tracker's `then` callbacks (microtasks) run; no time passes. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('RoomTracker', () => {
  it('passes messages of a room nobody joined through untouched', () => {
    const t = tracker();
    t.rooms.message(message('lobby', 3));
    t.rooms.message(message('lobby', 3));
    expect(t.delivered).toEqual(['lobby#3', 'lobby#3']);
  });

  it('holds live messages while the join is in flight, then delivers only those after its lastSeq, in order', async () => {
    const t = tracker();
    const answer = t.join('lobby');
    t.rooms.message(message('lobby', 6));
    t.rooms.message(message('lobby', 5));
    t.rooms.message(message('lobby', 4));
    expect(t.delivered).toEqual([]);
    answer.resolve({ lastSeq: 4, messages: [message('lobby', 4)], more: false });
    await settled();
    expect(t.delivered).toEqual(['lobby#5', 'lobby#6']);
  });

  it('delivers each seq once: a replayed or late duplicate is dropped', async () => {
    const t = tracker();
    t.join('lobby').resolve({ lastSeq: 0, messages: [] });
    await settled();
    for (const seq of [1, 2, 2, 1, 3]) t.rooms.message(message('lobby', seq));
    expect(t.delivered).toEqual(['lobby#1', 'lobby#2', 'lobby#3']);
  });

  it('rejoins every joined room with the last seq seen and delivers what was missed before the live copies', async () => {
    const t = tracker();
    t.join('lobby').resolve({ lastSeq: 2, messages: [] });
    t.join('staff').resolve({ lastSeq: 7, messages: [] });
    await settled();
    t.rooms.message(message('lobby', 3));
    t.rooms.rejoinAll();
    expect(t.rejoins.map(({ room, since }) => ({ room, since }))).toEqual([
      { room: 'lobby', since: 3 },
      { room: 'staff', since: 7 },
    ]);
    // A live message that races the rejoin's answer waits for it.
    t.rooms.message(message('lobby', 6));
    t.rejoins[0]!.answer.resolve({ lastSeq: 5, messages: [message('lobby', 4), message('lobby', 5)], more: false });
    await settled();
    expect(t.delivered).toEqual(['lobby#3', 'lobby#4', 'lobby#5', 'lobby#6']);
    expect(t.gaps).toEqual([]);
  });

  it('follows more: a rejoin answered with one page rejoins from its last seq until caught up', async () => {
    const t = tracker();
    t.join('lobby').resolve({ lastSeq: 10, messages: [] });
    await settled();
    t.rooms.rejoinAll();
    // 600 missed: the server answers the oldest page first (more: true), paged by count and bytes.
    t.rejoins[0]!.answer.resolve({ lastSeq: 610, messages: [message('lobby', 11), message('lobby', 12)], more: true });
    await settled();
    expect(t.rejoins.map((r) => r.since)).toEqual([10, 12]);
    t.rejoins[1]!.answer.resolve({ lastSeq: 610, messages: [message('lobby', 13)], more: false });
    await settled();
    expect(t.gaps).toEqual([{ room: 'lobby', from: 14, to: 610 }]);
    expect(t.delivered).toEqual(['lobby#11', 'lobby#12', 'lobby#13']);
  });

  it('forgets a room on leave: later messages pass through and it is not rejoined', async () => {
    const t = tracker();
    t.join('lobby').resolve({ lastSeq: 5, messages: [] });
    await settled();
    t.rooms.observe('chat.leave', { room: 'lobby' }, Promise.resolve({}));
    t.rooms.message(message('lobby', 2));
    t.rooms.rejoinAll();
    expect(t.rejoins).toEqual([]);
    expect(t.delivered).toEqual(['lobby#2']);
  });

  it('forgets a room whose rejoin the server refused, and says so once', async () => {
    const t = tracker();
    t.join('lobby').resolve({ lastSeq: 5, messages: [] });
    await settled();
    t.rooms.rejoinAll();
    t.rejoins[0]!.answer.reject(new SwitchboardError('not_found', 'no such room', { action: 'chat.join' }));
    await settled();
    expect(t.rejoinFailures).toHaveLength(1);
    expect(t.rejoinFailures[0]).toMatchObject({ room: 'lobby', error: { code: 'not_found' } });
    t.rooms.rejoinAll();
    expect(t.rejoins).toHaveLength(1);
  });

  it('keeps a room whose rejoin met an outage, tries again, and delivers what was missed and held', async () => {
    vi.useFakeTimers();
    try {
      const t = tracker();
      t.join('lobby').resolve({ lastSeq: 5, messages: [] });
      await vi.advanceTimersByTimeAsync(0);
      t.rooms.rejoinAll();
      t.rejoins[0]!.answer.reject(new SwitchboardError('unavailable', 'the database is not available', { action: 'chat.join' }));
      await vi.advanceTimersByTimeAsync(0);
      expect(t.rejoinFailures).toEqual([]);
      // A live message past the hole waits; the retry (after a backoff of at most 5 s) asks from the same seq.
      t.rooms.message(message('lobby', 8));
      await vi.advanceTimersByTimeAsync(5_000);
      expect(t.rejoins.map(({ since }) => since)).toEqual([5, 5]);
      t.rejoins[1]!.answer.reject(new SwitchboardError('timeout', 'no answer in time', { action: 'chat.join' }));
      await vi.advanceTimersByTimeAsync(5_000);
      expect(t.rejoins).toHaveLength(3);
      t.rejoins[2]!.answer.resolve({ lastSeq: 7, messages: [message('lobby', 6), message('lobby', 7)], more: false });
      await vi.advanceTimersByTimeAsync(0);
      expect(t.delivered).toEqual(['lobby#6', 'lobby#7', 'lobby#8']);
      expect(t.rejoinFailures).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tries a rejoin waiting for its backoff at once when the app sends into the room', async () => {
    vi.useFakeTimers();
    try {
      const t = tracker();
      t.join('lobby').resolve({ lastSeq: 5, messages: [] });
      await vi.advanceTimersByTimeAsync(0);
      expect(t.rooms.rejoining('lobby')).toBe(false);
      expect(t.rooms.rejoining('elsewhere')).toBe(false);
      t.rooms.rejoinAll();
      expect(t.rooms.rejoining('lobby')).toBe(true);
      t.rejoins[0]!.answer.reject(new SwitchboardError('unavailable', 'the database is not available', { action: 'chat.join' }));
      await vi.advanceTimersByTimeAsync(0);
      // Waiting for its backoff: asking without a retry leaves it waiting; a send retries now.
      expect(t.rooms.rejoining('lobby', false)).toBe(true);
      expect(t.rejoins).toHaveLength(1);
      expect(t.rooms.rejoining('lobby')).toBe(true);
      expect(t.rejoins.map(({ since }) => since)).toEqual([5, 5]);
      t.rejoins[1]!.answer.resolve({ lastSeq: 5, messages: [], more: false });
      await vi.advanceTimersByTimeAsync(0);
      expect(t.rooms.rejoining('lobby')).toBe(false);
      // No stray timer asked again.
      await vi.advanceTimersByTimeAsync(10_000);
      expect(t.rejoins).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a room whose rejoin was cut off by a close, for the next rejoin', async () => {
    const t = tracker();
    t.join('lobby').resolve({ lastSeq: 5, messages: [] });
    await settled();
    t.rooms.rejoinAll();
    t.setOpen(false);
    t.rejoins[0]!.answer.reject(new SwitchboardError('unavailable', 'closed', { action: 'chat.join' }));
    await settled();
    expect(t.rejoinFailures).toEqual([]);
    t.setOpen(true);
    t.rooms.rejoinAll();
    expect(t.rejoins.map(({ since }) => since)).toEqual([5, 5]);
  });

  it('ignores requests without a room and other actions', () => {
    const t = tracker();
    t.rooms.observe('chat.join', { nope: true }, Promise.resolve({ lastSeq: 3 }));
    t.rooms.observe('echo', { room: 'lobby' }, Promise.resolve({}));
    t.rooms.rejoinAll();
    expect(t.rejoins).toEqual([]);
  });
});
