/**
 * One socket's server side, transport only: a serial inbox (frames are handled one at a time, in
 * order, each awaited), a bounded send path, its rate limit, its heartbeat and the hub topics it
 * is in. Who is on the other end and what they joined belong to the route's session
 * (sockets/sessions.ts); the Node specifics stay in node-upgrade.ts; protocol rules in the dispatcher.
 */
import { closeCodes, type CloseReason } from '@switchboard/protocol';
import type { Logger } from '../lib/logger.ts';
import type { RawSocket } from './socket-contract.ts';
import { TokenBucket } from './rate-limit.ts';

const OPEN = 1;
const TEXT = { binary: false } as const;
const TERMINATE_AFTER_MS = 1_000;

/** Limits of one connection, from the server config. */
export interface ConnectionLimits {
  maxBufferedBytes: number;
  framesPerSecond: number;
  frameBurst: number;
  /** Frames waiting in the inbox before the socket is closed for flooding. */
  maxInbox: number;
}

/** Handles one frame of a connection; must not throw (the dispatcher answers errors itself). */
export type FrameHandler = (frame: string) => Promise<void>;

/** Where a connection is in its life; one union instead of a set of flags. */
export type ConnectionPhase = { phase: 'open' } | { phase: 'closed'; code: number };

/** The server side of one socket. */
export class Connection {
  readonly #id: string;
  readonly #parentLog: Logger;
  readonly #route: string;
  #log: Logger | undefined;
  readonly #rate: TokenBucket;
  /** Set by every pong or frame, cleared by each heartbeat tick. */
  #alive = true;
  /** When the socket's credential expires (ms since the epoch); the heartbeat closes it then. */
  #expiresAt = Number.POSITIVE_INFINITY;
  /** The hub topics this socket is in; kept here rather than in a map of the hub's, one array per socket. */
  readonly #topics: string[] = [];
  #afterReply: (() => void)[] | undefined;
  #phase: ConnectionPhase = { phase: 'open' };
  readonly #socket: RawSocket;
  readonly #limits: ConnectionLimits;
  readonly #handle: FrameHandler;
  readonly #inbox: string[] = [];
  #draining = false;
  #ready: Promise<void> = Promise.resolve();

  constructor(init: { id: string; route: string; socket: RawSocket; log: Logger; limits: ConnectionLimits; handle: FrameHandler }) {
    this.#id = init.id;
    this.#socket = init.socket;
    this.#parentLog = init.log;
    this.#route = init.route;
    this.#limits = init.limits;
    this.#handle = init.handle;
    this.#rate = new TokenBucket(init.limits.framesPerSecond, init.limits.frameBurst);
  }

  /** This connection's id, `<node>.<uuid>` (see direct.ts). */
  get id(): string {
    return this.#id;
  }

  /** This connection's logger; made on first use, since most sockets never log and a child costs memory. */
  get log(): Logger {
    return (this.#log ??= this.#parentLog.child({ conn: this.#id, route: this.#route }));
  }

  /** Where this connection is in its life. */
  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /**
   * Runs the connection's opening work (subscriptions, the `connected` event) before any frame
   * is handled, so the first frame a client sees is always `connected`.
   */
  prepare(task: () => Promise<void>): void {
    this.#ready = task().catch((err: unknown) => {
      this.log.error({ err }, 'opening the connection failed');
      this.close('unavailable');
    });
  }

  /** Queues a text frame; frames are handled strictly one after another. */
  receive(frame: string): void {
    this.#alive = true;
    if (this.#phase.phase !== 'open') return;
    if (this.#inbox.length >= this.#limits.maxInbox) {
      this.log.warn({ queued: this.#inbox.length }, 'inbox overflow; closing');
      this.close('policy_violation', 'too many frames in flight');
      return;
    }
    this.#inbox.push(frame);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      await this.#ready;
      for (let frame = this.#inbox.shift(); frame !== undefined; frame = this.#inbox.shift()) {
        if (this.#phase.phase !== 'open') break;
        try {
          await this.#handle(frame);
        } catch (err) {
          // The dispatcher answers every error itself; reaching here is a bug, never a crash.
          this.log.error({ err }, 'frame handler threw');
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Writes an encoded frame unless the peer reads too slowly: past `maxBufferedBytes` of unsent
   * data the socket is closed (4001) instead of buffering without bound. False when not sent.
   */
  send(frame: string): boolean {
    if (!this.#writable(frame.length)) return false;
    this.#socket.send(frame);
    return true;
  }

  /** Like `send`, for a frame already encoded as UTF-8 (a fan-out encodes once for every member). */
  sendEncoded(frame: Buffer): boolean {
    if (!this.#writable(frame.length)) return false;
    this.#socket.send(frame, TEXT);
    return true;
  }

  #writable(bytes: number): boolean {
    if (this.#phase.phase !== 'open' || this.#socket.readyState !== OPEN) return false;
    if (this.#socket.bufferedAmount + bytes > this.#limits.maxBufferedBytes) {
      this.log.warn({ buffered: this.#socket.bufferedAmount }, 'slow consumer; closing');
      this.close('slow_consumer');
      return false;
    }
    return true;
  }

  /** Queues work to run right after the current command's answer is sent (e.g. `welcome` after `authorize`). */
  afterReply(task: () => void): void {
    (this.#afterReply ??= []).push(task);
  }

  /** Runs what `afterReply` queued; the dispatcher calls it once the answer is written. */
  flushAfterReply(): void {
    const tasks = this.#afterReply;
    if (tasks === undefined) return;
    this.#afterReply = undefined;
    for (const task of tasks) task();
  }

  /** Takes one token of the frame rate limit; false when the socket sends too fast. */
  admitFrame(): boolean {
    return this.#rate.take();
  }

  /** When the socket's credential expires (ms since the epoch); never for credentials that do not. */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** Sets when the socket's credential expires (a user token; a new `authorize` moves it). */
  expireAt(expiresAt: number): void {
    this.#expiresAt = expiresAt;
  }

  /** Records a pong: the peer is still there. */
  markAlive(): void {
    this.#alive = true;
  }

  /**
   * One heartbeat tick: closes the socket when its credential expired (4003) or when it sent
   * neither a pong nor a frame since the previous tick (4000); otherwise pings it.
   */
  heartbeat(now: number): void {
    if (this.#expiresAt <= now) {
      this.close('token_expired');
      return;
    }
    if (!this.#alive) {
      this.close('heartbeat_timeout');
      return;
    }
    this.#alive = false;
    if (this.#phase.phase === 'open' && this.#socket.readyState === OPEN) this.#socket.ping();
  }

  /** Records that the socket is in a hub topic. */
  addTopic(topic: string): void {
    if (!this.#topics.includes(topic)) this.#topics.push(topic);
  }

  /** Records that the socket left a hub topic. */
  dropTopic(topic: string): void {
    const index = this.#topics.indexOf(topic);
    if (index >= 0) this.#topics.splice(index, 1);
  }

  /** The hub topics the socket is in, forgotten here (the hub leaves them on disconnect). */
  takeTopics(): string[] {
    return this.#topics.splice(0);
  }

  /** Closes with a documented close code. */
  close(reason: CloseReason, message: string = reason): void {
    if (this.#phase.phase !== 'open') return;
    const { code } = closeCodes[reason];
    this.#phase = { phase: 'closed', code };
    this.#inbox.length = 0;
    this.#socket.close(code, message);
    if (reason === 'heartbeat_timeout') {
      // A peer that misses pongs is probably gone: give the close frame a moment, not ws's 30 s.
      setTimeout(() => this.#socket.terminate(), TERMINATE_AFTER_MS).unref();
    }
  }

  /** Records that the socket closed (by either side), with the close code. */
  recordClose(code: number): void {
    if (this.#phase.phase === 'open') this.#phase = { phase: 'closed', code };
    this.#inbox.length = 0;
  }
}
