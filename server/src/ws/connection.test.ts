/**
 * A connection on a fake socket: refusals on arrival wait for the opening work (the first frame a
 * client sees is `connected`), and time its reads were paused by backpressure is not held against
 * its rate limit when the frames that waited in TCP buffers arrive together.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../lib/logger.ts';
import { Connection, type Refusal } from './connection.ts';
import type { RawSocket } from './socket-contract.ts';

class FakeSocket implements RawSocket {
  readyState = 1;
  bufferedAmount = 0;
  paused = false;
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {}
  ping(): void {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

const silent = createLogger({ level: 'silent' });
const limits = { maxBufferedBytes: 1024, framesPerSecond: 1_000, frameBurst: 4, maxInbox: 4, malformedPerMinute: 10 };

/** A deferred promise the test settles. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function connection(handle: (frame: string, refusal?: Refusal) => Promise<void>) {
  const socket = new FakeSocket();
  return { socket, connection: new Connection({ id: 'n.1', route: '/ws', socket, log: silent, limits, handle }) };
}

describe('Connection', () => {
  // The rate limit reads performance.now(): the test decides how much time passes.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers frames refused on arrival only after the opening work', async () => {
    const seen: string[] = [];
    const { connection: conn } = connection(async (frame, refusal) => {
      seen.push(refusal ? `refused ${frame}` : `handled ${frame}`);
    });
    const opening = gate();
    conn.prepare(async () => {
      await opening.promise;
      seen.push('connected');
    });
    // A burst of 4, then over the rate: the refusals must not overtake `connected`.
    for (let i = 0; i < 6; i++) conn.receive(String(i));
    await Promise.resolve();
    expect(seen).toEqual([]);
    opening.open();
    await expect.poll(() => seen.length).toBe(7);
    expect(seen[0]).toBe('connected');
    expect(seen.filter((s) => s.startsWith('refused'))).toEqual(['refused 4', 'refused 5']);
  });

  it('credits paused time to the rate limit, so frames that waited during a stall are not refused', async () => {
    const refused: string[] = [];
    const stall = gate();
    const { socket, connection: conn } = connection(async (frame, refusal) => {
      if (refusal) refused.push(frame);
      else await stall.promise;
    });
    // Fills the inbox: reads pause.
    for (let i = 0; i < 4; i++) conn.receive(`a${i}`);
    expect(socket.paused).toBe(true);
    // Paused long enough that an honest sender at the rate sent 10 more frames meanwhile.
    vi.advanceTimersByTime(10);
    stall.open();
    await expect.poll(() => socket.paused).toBe(false);
    // What waited in TCP buffers arrives together, more than a burst's worth (within the inbox).
    for (let i = 0; i < 6; i++) conn.receive(`b${i}`);
    expect(refused).toEqual([]);
  });
});
