import type { RoomMessage } from '@switchboard/protocol';
import type { Emitter } from './emitter.ts';
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
}

/** One joined room (or one being joined). */
interface RoomState {
  /** The highest seq delivered or covered by a join's `lastSeq`; undefined until a join answered. */
  seen: number | undefined;
  /** Joins in flight; while there are any, the room's live messages wait in `held`. */
  joins: number;
  held: RoomMessage[];
}

/** The parts of a `chat.join` answer the tracker reads. */
interface JoinAnswer {
  lastSeq: number;
  messages: RoomMessage[];
  more: boolean;
}

/**
 * Remembers the joined rooms and the last seq seen in each, rejoins them with `since` after a
 * reconnect, and delivers each room's `chat.message` events once, in seq order. A room nobody
 * joined through this client passes its messages through untouched.
 */
export class RoomTracker {
  #host: RoomTrackerHost;
  #rooms = new Map<string, RoomState>();

  constructor(host: RoomTrackerHost) {
    this.#host = host;
  }

  /**
   * Follows the app's requests: a `chat.join`'s answer sets the room's seq (its messages go to
   * the caller); a `chat.leave` forgets the room at once, so joins still in flight are ignored.
   */
  observe(action: string, payload: unknown, reply: Promise<unknown>): void {
    const room = isRecord(payload) && typeof payload.room === 'string' ? payload.room : undefined;
    if (room === undefined) return;
    if (action === 'chat.join') this.#await(room, reply, false);
    else if (action === 'chat.leave') this.#rooms.delete(room);
  }

  /** Rejoins every remembered room with `since`; called when a new socket becomes usable. */
  rejoinAll(): void {
    for (const [room, state] of this.#rooms) {
      if (state.seen !== undefined) this.#await(room, this.#host.rejoin(room, state.seen), true);
    }
  }

  /** Takes one `chat.message` event: delivers it, holds it while its room is being joined, or drops a seq already delivered. */
  message(payload: unknown): void {
    if (!isRoomMessage(payload)) return this.#host.emitter.emitUnchecked('chat.message', payload);
    const state = this.#rooms.get(payload.room);
    if (!state) return this.#host.emitter.emit('chat.message', payload);
    if (state.joins > 0) state.held.push(payload);
    else this.#deliver(state, [payload], undefined);
  }

  #await(room: string, reply: Promise<unknown>, rejoin: boolean): void {
    let state = this.#rooms.get(room);
    if (!state) this.#rooms.set(room, (state = { seen: undefined, joins: 0, held: [] }));
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
    const held = state.held.splice(0);
    if (rejoin) {
      // The missed messages (and live ones that raced them) go out together, in seq order.
      const floor = state.seen ?? 0;
      const gap = answer.more ? gapOf(room, floor, answer.lastSeq, answer.messages) : undefined;
      this.#deliver(state, [...answer.messages, ...held], gap);
      state.seen = Math.max(state.seen ?? 0, answer.lastSeq);
    } else {
      // The app's own join: its caller gets the messages; live events start after `lastSeq`.
      state.seen = Math.max(state.seen ?? 0, answer.lastSeq);
      this.#deliver(state, held, undefined);
    }
  }

  #failed(room: string, state: RoomState, error: unknown, rejoin: boolean): void {
    if (this.#rooms.get(room) !== state) return;
    state.joins--;
    // Requests cut off by a close fail once the socket is gone; those are left to the next rejoin.
    const refused = this.#host.isOpen();
    if ((refused && rejoin) || (state.seen === undefined && state.joins === 0)) this.#rooms.delete(room);
    if (refused && rejoin) this.#host.emitter.emit('chat.rejoinFailed', { room, error: joinError(error) });
    if (state.joins > 0) return;
    const held = state.held.splice(0);
    // Delivering what raced a cut-off join would skip the seqs before it: the next rejoin fetches them all.
    if (refused || this.#rooms.get(room) !== state) for (const message of held) this.message(message);
  }

  #deliver(state: RoomState, messages: RoomMessage[], gap: ChatGapEvent | undefined): void {
    const { emitter } = this.#host;
    let pendingGap = gap;
    for (const message of messages.sort((a, b) => a.seq - b.seq)) {
      if (pendingGap && message.seq > pendingGap.to) {
        emitter.emit('chat.gap', pendingGap);
        pendingGap = undefined;
      }
      // Sorted, so this drops replays and the live copies of what the join's answer carried.
      if (message.seq <= (state.seen ?? 0)) continue;
      state.seen = message.seq;
      emitter.emit('chat.message', message);
    }
    if (pendingGap) emitter.emit('chat.gap', pendingGap);
  }
}

/** The seqs between `floor` and `lastSeq` that a truncated answer (`more`) left out, as one range. */
function gapOf(room: string, floor: number, lastSeq: number, messages: readonly RoomMessage[]): ChatGapEvent | undefined {
  const seqs = messages.map((message) => message.seq).filter((seq) => seq > floor);
  // Seqs are gapless per room, so what is missing is one range: before the answer or after it.
  const first = seqs.length ? Math.min(...seqs) : lastSeq + 1;
  const last = seqs.length ? Math.max(...seqs) : floor;
  if (first > floor + 1) return { room, from: floor + 1, to: first - 1 };
  if (last < lastSeq) return { room, from: last + 1, to: lastSeq };
  return undefined;
}

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
