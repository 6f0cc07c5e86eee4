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
/** setTimeout's longest delay (about 24.8 days); a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Limits of one connection, from the server config. */
export interface ConnectionLimits {
  maxBufferedBytes: number;
  framesPerSecond: number;
  frameBurst: number;
  /**
   * Frames waiting in the inbox (admitted, not yet handled) at which the socket's reads are
   * paused: a stalled dependency turns into TCP backpressure, not a close. Frames still arriving
   * past twice this are answered `unavailable` with a retry hint instead of queued.
   */
  maxInbox: number;
  /** Malformed frames (not JSON, bad envelope, unknown action, too large, binary) a socket may send per minute before it is closed (4500). */
  malformedPerMinute: number;
}

/** Why a frame is answered at once instead of handled: over the rate limit, or the inbox is full. */
export type Refusal = { code: 'rate_limited' | 'unavailable'; retryAfterMs: number };

/**
 * Handles one frame of a connection; must not throw (the dispatcher answers errors itself). With
 * a `refusal`, the frame is only answered with it (or as malformed), synchronously.
 */
export type FrameHandler = (frame: string, refusal?: Refusal) => Promise<void>;

/** Where a connection is in its life; one union instead of a set of flags. */
export type ConnectionPhase = { phase: 'open' } | { phase: 'closed'; code: number };

/** The server side of one socket. */
export class Connection {
  readonly #id: string;
  /** The client's address as `TRUST_PROXY` resolved it at the upgrade; never logged at info. */
  readonly address: string;
  readonly #parentLog: Logger;
  readonly #route: string;
  #log: Logger | undefined;
  readonly #rate: TokenBucket;
  /**
   * Frames over the rate limit are answered `rate_limited` while this second bucket (as large as
   * the first) lasts; a client that empties it too sends at more than twice the limit and is closed.
   */
  readonly #overRate: TokenBucket;
  readonly #malformed: TokenBucket;
  /** Whether reads are paused because the inbox is full (backpressure while handlers stall). */
  #paused = false;
  /** When reads were last paused (performance.now()). */
  #pausedAt = 0;
  /** Set by every pong or frame, cleared by each heartbeat tick. */
  #alive = true;
  /** When the socket's credential expires (ms since the epoch); its own timer closes it then. */
  #expiresAt = Number.POSITIVE_INFINITY;
  #expiry: NodeJS.Timeout | undefined;
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
  /** Whether the opening work has finished (then refusals need not wait for `#ready`). */
  #opened = true;

  constructor(init: {
    id: string;
    route: string;
    socket: RawSocket;
    log: Logger;
    limits: ConnectionLimits;
    handle: FrameHandler;
    /** @default 'unknown' (tests of the transport alone) */
    address?: string;
  }) {
    this.#id = init.id;
    this.address = init.address ?? 'unknown';
    this.#socket = init.socket;
    this.#parentLog = init.log;
    this.#route = init.route;
    this.#limits = init.limits;
    this.#handle = init.handle;
    this.#rate = new TokenBucket(init.limits.framesPerSecond, init.limits.frameBurst);
    this.#overRate = new TokenBucket(init.limits.framesPerSecond, init.limits.frameBurst);
    this.#malformed = new TokenBucket(init.limits.malformedPerMinute / 60, init.limits.malformedPerMinute);
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
    this.#opened = false;
    this.#ready = task()
      .catch((err: unknown) => {
        this.log.error({ err }, 'opening the connection failed');
        this.close('unavailable');
      })
      .finally(() => {
        this.#opened = true;
      });
  }

  /**
   * Takes a text frame as it arrives. The rate limit is counted here, on arrival, not when the
   * frame is handled: a stall behind it (a slow database) must not turn an honest client's
   * frames into `rate_limited`. Admitted frames are handled strictly one after another.
   */
  receive(frame: string): void {
    this.#alive = true;
    if (this.#phase.phase !== 'open') return;
    if (!this.#rate.take()) {
      if (!this.#overRate.take()) {
        this.log.warn('frames far over the rate limit; closing');
        this.close('policy_violation', 'rate limit far exceeded');
        return;
      }
      this.#refuse(frame, { code: 'rate_limited', retryAfterMs: this.#rate.msUntilToken() });
      return;
    }
    if (this.#inbox.length >= this.#limits.maxInbox * 2) {
      // Reads are paused, but frames ws had already read still arrive: answer, never close.
      this.#refuse(frame, { code: 'unavailable', retryAfterMs: 1_000 });
      return;
    }
    this.#inbox.push(frame);
    if (this.#inbox.length >= this.#limits.maxInbox && !this.#paused) {
      this.#paused = true;
      this.#pausedAt = performance.now();
      this.#socket.pause?.();
      this.log.warn({ queued: this.#inbox.length }, 'inbox full; pausing reads until it drains');
    }
    if (!this.#draining) void this.#drain();
  }

  /**
   * Answers a refused frame at once, but never before the opening work: the first frame a client
   * sees is `connected`, even when it floods before that (the answers keep their order).
   */
  #refuse(frame: string, refusal: Refusal): void {
    if (this.#opened) void this.#handle(frame, refusal);
    else void this.#ready.then(() => this.#handle(frame, refusal));
  }

  /** Counts a malformed frame; a socket that sends too many is closed (4500). The dispatcher calls it. */
  malformed(): void {
    if (this.#malformed.take()) return;
    this.log.warn('too many malformed frames; closing');
    this.close('policy_violation', 'too many malformed frames');
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      await this.#ready;
      for (let frame = this.#inbox.shift(); frame !== undefined; frame = this.#inbox.shift()) {
        if (this.#phase.phase !== 'open') break;
        if (this.#paused && this.#inbox.length < this.#limits.maxInbox / 2) this.#resumeReads();
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
    if (this.#paused && this.#phase.phase === 'open') this.#resumeReads();
  }

  /**
   * Resumes reads after backpressure. What the client sent meanwhile arrives at once; the time
   * reads were paused is credited to its rate limit (never more than an inbox's worth of frames),
   * so an honest sender is not answered `rate_limited` for a burst the pause made.
   */
  #resumeReads(): void {
    this.#paused = false;
    this.#rate.credit(performance.now() - this.#pausedAt, this.#limits.maxInbox * 2);
    this.#socket.resume?.();
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

  /** When the socket's credential expires (ms since the epoch); never for credentials that do not. */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /**
   * Sets when the socket's credential expires (a user token; a new `authorize` moves it) and
   * closes it with 4003 then, to the timer's precision: the spec promises the close at expiry,
   * and a heartbeat tick would be up to `heartbeatMs` late.
   */
  expireAt(expiresAt: number): void {
    this.#expiresAt = expiresAt;
    this.#armExpiry();
  }

  #armExpiry(): void {
    clearTimeout(this.#expiry);
    if (this.#phase.phase !== 'open' || this.#expiresAt === Number.POSITIVE_INFINITY) return;
    const wait = this.#expiresAt - Date.now();
    if (wait <= 0) {
      this.close('token_expired');
      return;
    }
    this.#expiry = setTimeout(() => this.#armExpiry(), Math.min(wait, MAX_TIMER_MS));
    this.#expiry.unref();
  }

  /** Records a pong: the peer is still there. */
  markAlive(): void {
    this.#alive = true;
  }

  /**
   * One heartbeat tick: closes the socket when it sent neither a pong nor a frame since the
   * previous tick (4000); otherwise pings it. `now` is the tick's clock: a credential past its
   * expiry still closes with 4003 here, should its own timer ever be late (an overloaded loop).
   */
  heartbeat(now: number): void {
    if (this.#expiresAt <= now) {
      this.close('token_expired');
      return;
    }
    // A socket whose reads this server paused cannot show its pongs; it is not dead.
    if (!this.#alive && !this.#paused) {
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
    clearTimeout(this.#expiry);
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
    clearTimeout(this.#expiry);
  }
}
