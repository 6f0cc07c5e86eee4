import type { RoomMessage } from '@switchboard/protocol';
import type { Emitter } from './emitter.ts';
import { backoff } from './backoff.ts';
import { SwitchboardError, isSwitchboardError } from './errors.ts';
import { isRecord, messageOf } from './json.ts';
import type { ChatGapEvent, ChatRejoinFailedEvent, ClientEvents } from './types.ts';

/** What the tracker needs from its client. */
export interface RoomTrackerHost {
  /** Where `chat.message`, `chat.gap` and `chat.rejoinFailed` go. */
  emitter: Emitter<ClientEvents>;
  /** Sends `chat.join { room, since }` ahead of any queued request. */
  rejoin(room: string, since: number): Promise<unknown>;
  /** True while a socket is open: a join failing then was refused, not cut off by a close. */
  isOpen(): boolean;
  /**
   * How long a message that arrived ahead of a missing seq waits for it before the room is
   * recovered with a rejoin (`since`). Messages sent through different nodes may overtake each
   * other by a few milliseconds; a seq that stays missing was lost (e.g. a channel-layer restart).
   * @default 500
   */
  reorderWindowMs?: number;
}

/** One joined room (or one being joined). */
interface RoomState {
  /** The highest seq delivered or covered by a join's `lastSeq`; undefined until a join answered. */
  seen: number | undefined;
  /** Joins in flight; while there are any, the room's live messages wait in `held`. */
  joins: number;
  held: RoomMessage[];
  /** Live messages that arrived ahead of a missing seq, in seq order. */
  ahead: RoomMessage[];
  /** Armed while `ahead` waits for the missing seqs, or while a rejoin that met an outage waits to be tried again. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Rejoins in a row that met an outage; the next waits longer. */
  retries: number;
}

/** Answers that say "not now" rather than "no": a rejoin meeting one is tried again, the room kept. */
const TRANSIENT = new Set(['unavailable', 'timeout', 'rate_limited']);

/** The parts of a `chat.join` answer the tracker reads. */
interface JoinAnswer {
  lastSeq: number;
  messages: RoomMessage[];
  more: boolean;
}

/**
 * Remembers the joined rooms and the last seq seen in each, rejoins them with `since` after a
 * reconnect, and delivers each room's `chat.message` events once, in seq order: a message that
 * overtook a missing seq waits for it, and a seq still missing after `reorderWindowMs` is
 * recovered by a rejoin (or announced as `chat.gap` when the room kept no copy). A room nobody
 * joined through this client passes its messages through untouched.
 */
export class RoomTracker {
  #host: RoomTrackerHost;
  #rooms = new Map<string, RoomState>();
  #windowMs: number;

  constructor(host: RoomTrackerHost) {
    this.#host = host;
    this.#windowMs = host.reorderWindowMs ?? 500;
  }

  /**
   * Follows the app's requests: a `chat.join`'s answer sets the room's seq (its messages go to
   * the caller); a `chat.leave` forgets the room at once, so joins still in flight are ignored.
   */
  observe(action: string, payload: unknown, reply: Promise<unknown>): void {
    const room = isRecord(payload) && typeof payload.room === 'string' ? payload.room : undefined;
    if (room === undefined) return;
    if (action === 'chat.join') this.#await(room, reply, false);
    else if (action === 'chat.leave') this.#forget(room);
  }

  /** Rejoins every remembered room with `since`; called when a new socket becomes usable. */
  rejoinAll(): void {
    for (const [room, state] of this.#rooms) {
      if (state.seen !== undefined) this.#recover(room, state);
    }
  }

  /**
   * Before a `chat.send` into `room`: whether the room is being rejoined (a rejoin in flight, or
   * one that met an outage and waits for its backoff, which is then tried at once: it goes out
   * ahead of the send, so the send finds the room joined when the outage is over).
   */
  rejoining(room: string, retryNow = true): boolean {
    const state = this.#rooms.get(room);
    if (!state || state.seen === undefined) return false;
    const waiting = state.joins === 0 && state.retries > 0 && state.timer !== undefined;
    if (waiting && !retryNow) return true;
    if (waiting) this.#recover(room, state);
    return state.joins > 0;
  }

  /** Takes a `chat.removed` event: the server removed this socket from the room, which is not rejoined. */
  removed(payload: unknown): void {
    if (isRecord(payload) && typeof payload.room === 'string') this.#forget(payload.room);
  }

  /** Stops every timer (the client is closing). */
  dispose(): void {
    for (const room of [...this.#rooms.keys()]) this.#forget(room);
  }

  /** Takes one `chat.message` event: delivers it, holds it while its room is being joined, or drops a seq already delivered. */
  message(payload: unknown): void {
    if (!isRoomMessage(payload)) return this.#host.emitter.emitUnchecked('chat.message', payload);
    const state = this.#rooms.get(payload.room);
    if (!state) return this.#host.emitter.emit('chat.message', payload);
    if (state.joins > 0) state.held.push(payload);
    else this.#live(payload.room, state, payload);
  }

  /** Delivers a live message in order, or holds it until the seqs before it arrive. */
  #live(name: string, state: RoomState, message: RoomMessage): void {
    const seen = state.seen ?? 0;
    if (message.seq <= seen) return;
    if (message.seq > seen + 1) {
      if (!state.ahead.some((m) => m.seq === message.seq)) state.ahead.push(message);
      state.ahead.sort(bySeq);
      state.timer ??= setTimeout(() => {
        state.timer = undefined;
        if (this.#rooms.get(name) === state && state.joins === 0 && state.ahead.length > 0) this.#recover(name, state);
      }, this.#windowMs);
      return;
    }
    state.seen = message.seq;
    this.#host.emitter.emit('chat.message', message);
    // The missing seq arrived: what waited behind it follows, up to the next hole.
    while (state.ahead.length > 0 && state.ahead[0]!.seq <= (state.seen ?? 0) + 1) {
      const next = state.ahead.shift()!;
      if (next.seq <= (state.seen ?? 0)) continue;
      state.seen = next.seq;
      this.#host.emitter.emit('chat.message', next);
    }
    if (state.ahead.length === 0) this.#disarm(state);
  }

  /** Rejoins a room with `since`: the answer carries what this client has not seen. */
  #recover(name: string, state: RoomState): void {
    this.#disarm(state);
    state.held.push(...state.ahead.splice(0));
    this.#await(name, this.#host.rejoin(name, state.seen ?? 0), true);
  }

  #disarm(state: RoomState): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
  }

  #forget(room: string): void {
    const state = this.#rooms.get(room);
    if (state) this.#disarm(state);
    this.#rooms.delete(room);
  }

  #await(room: string, reply: Promise<unknown>, rejoin: boolean): void {
    let state = this.#rooms.get(room);
    if (!state) this.#rooms.set(room, (state = { seen: undefined, joins: 0, held: [], ahead: [], timer: undefined, retries: 0 }));
    const current = state;
    current.joins++;
    reply.then(
      (output) => this.#joined(room, current, readJoinAnswer(output), rejoin),
      (error: unknown) => this.#failed(room, current, error, rejoin),
    );
  }

  #joined(room: string, state: RoomState, answer: JoinAnswer, rejoin: boolean): void {
    // A state replaced or removed since means the app left the room meanwhile.
    if (this.#rooms.get(room) !== state) return;
    state.joins--;
    state.retries = 0;
    const held = state.held.splice(0);
    const last = answer.messages.reduce((top, message) => Math.max(top, message.seq), 0);
    if (rejoin && answer.more && last > (state.seen ?? 0)) {
      // One page of what was missed (the server pages by count and by bytes): deliver it, then
      // continue from its last seq; live messages past the page wait for the next one.
      const covered = [...answer.messages, ...held.filter((message) => message.seq <= last)];
      this.#deliver(state, covered, gapsOf(room, state.seen ?? 0, last, covered));
      state.held.push(...held.filter((message) => message.seq > last));
      this.#recover(room, state);
      return;
    }
    if (rejoin) {
      // The missed messages go out first, in seq order; what the answer cannot cover (a room
      // without history, or a truncated answer) is announced as a gap, never skipped silently.
      // Live messages held meanwhile count too: they were received, so they are no gap.
      const covered = [...answer.messages, ...held.filter((message) => message.seq <= answer.lastSeq)];
      this.#deliver(state, covered, gapsOf(room, state.seen ?? 0, answer.lastSeq, covered));
    }
    // The app's own join: its caller gets the messages; live events start after `lastSeq`.
    state.seen = Math.max(state.seen ?? 0, answer.lastSeq);
    // Live messages that raced the join follow in order, waiting again if one is still missing.
    for (const message of held.sort(bySeq)) this.#live(room, state, message);
  }

  #failed(room: string, state: RoomState, error: unknown, rejoin: boolean): void {
    if (this.#rooms.get(room) !== state) return;
    state.joins--;
    // Requests cut off by a close fail once the socket is gone; those are left to the next rejoin.
    const refused = this.#host.isOpen();
    if (refused && rejoin && isSwitchboardError(error) && TRANSIENT.has(error.code)) {
      // An outage (a stalled database or Redis answered `unavailable`, the request timed out) is
      // no refusal: forgetting the room would leave this client silently out of it, a reader
      // receiving nothing more and a writer refused. The room is kept, what arrived meanwhile
      // stays held, and the rejoin is tried again after a backoff.
      if (state.joins > 0) return;
      this.#disarm(state);
      state.timer = setTimeout(
        () => {
          state.timer = undefined;
          if (this.#rooms.get(room) === state && state.joins === 0) this.#recover(room, state);
        },
        backoff(state.retries++, 100, 5_000),
      );
      return;
    }
    if ((refused && rejoin) || (state.seen === undefined && state.joins === 0)) this.#forget(room);
    if (refused && rejoin) this.#host.emitter.emit('chat.rejoinFailed', { room, error: joinError(error) });
    if (state.joins > 0) return;
    const held = state.held.splice(0);
    // Delivering what raced a cut-off join would skip the seqs before it: the next rejoin fetches them all.
    if (refused || this.#rooms.get(room) !== state) for (const message of held) this.message(message);
  }

  /** Delivers an answer's messages in seq order, announcing each missing range just before what follows it. */
  #deliver(state: RoomState, messages: RoomMessage[], gaps: ChatGapEvent[]): void {
    const { emitter } = this.#host;
    const pending = [...gaps];
    for (const message of [...messages].sort(bySeq)) {
      while (pending.length > 0 && message.seq > pending[0]!.to) emitter.emit('chat.gap', pending.shift()!);
      // Sorted, so this drops replays and the live copies of what the join's answer carried.
      if (message.seq <= (state.seen ?? 0)) continue;
      state.seen = message.seq;
      emitter.emit('chat.message', message);
    }
    for (const gap of pending) emitter.emit('chat.gap', gap);
  }
}

/** The seqs between `floor` and `lastSeq` that `messages` leave out (truncated, or never stored), as ranges. */
function gapsOf(room: string, floor: number, lastSeq: number, messages: readonly RoomMessage[]): ChatGapEvent[] {
  const seqs = [...new Set(messages.map((message) => message.seq).filter((seq) => seq > floor && seq <= lastSeq))].sort((a, b) => a - b);
  const gaps: ChatGapEvent[] = [];
  let next = floor + 1;
  for (const seq of [...seqs, lastSeq + 1]) {
    if (seq > next) gaps.push({ room, from: next, to: seq - 1 });
    next = seq + 1;
  }
  return gaps;
}

const bySeq = (a: RoomMessage, b: RoomMessage) => a.seq - b.seq;

function isRoomMessage(value: unknown): value is RoomMessage {
  return isRecord(value) && typeof value.room === 'string' && typeof value.seq === 'number';
}

/** Reads a join answer defensively: without `validate`, nothing else checked it. */
function readJoinAnswer(output: unknown): JoinAnswer {
  if (!isRecord(output)) return { lastSeq: 0, messages: [], more: false };
  const messages = Array.isArray(output.messages) ? output.messages.filter(isRoomMessage) : [];
  return { lastSeq: typeof output.lastSeq === 'number' ? output.lastSeq : 0, messages, more: output.more === true };
}

function joinError(error: unknown): ChatRejoinFailedEvent['error'] {
  if (isSwitchboardError(error, 'chat.join')) return error;
  return new SwitchboardError('internal', `the rejoin failed: ${messageOf(error)}`, { action: 'chat.join', cause: error });
}
