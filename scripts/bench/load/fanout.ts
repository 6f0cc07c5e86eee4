/**
 * The fan-out load: one publisher per room, many readers per room. Two ways to drive it: a
 * closed loop (each room keeps `window` messages in flight: the most the pair of processes can
 * deliver) and an open loop at a paced rate (what a latency figure at a given load needs).
 * Every phase is bounded by its duration plus a grace period, and stops by itself.
 */
import type { IdleSample, LoadSample } from './api.ts';
import type { BenchSocket, Driver } from './drivers/index.ts';
import { LatencyHistogram } from './histogram.ts';
import { openAll } from './open-all.ts';
import { nowUs, PAYLOAD_BYTES, payloadJson, readSent } from './payload.ts';

// Pacing granularity of the open loop: short enough that bursts stay far below the latency budget.
const TICK_MS = 2;
const QUIET_MS = 250;
const SETTLE_LIMIT_MS = 5_000;
// A hard cap on publishes per phase, whatever the durations say.
const MAX_SENDS = 5_000_000;

/** The header of an unmasked (server to client) WebSocket frame of `length` payload bytes, without extensions (RFC 6455 §5.2). */
export function wireHeaderBytes(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Readers and publishers of every room, and the counters of the phase being measured. */
export class Fanout {
  readonly #driver: Driver;
  readonly #rooms: number;
  readonly #readers: BenchSocket[] = [];
  readonly #publishers: BenchSocket[] = [];
  readonly #readersPerRoom: number[];
  readonly #deliveredPerRoom: number[];
  readonly #histogram = new LatencyHistogram();
  #delivered = 0;
  /** Bytes on the wire of the counted deliveries: each frame's payload and its WebSocket header. */
  #bytes = 0;
  #expected = 0;
  #lastFrameAt = 0;
  #lastDeliveryAt = 0;
  #closedByServer = 0;
  #refused = 0;
  #lastRefusal: string | undefined;
  #closing = false;
  /** The JSON body of the phase being run, in bytes. */
  #bodyBytes = PAYLOAD_BYTES;
  /** Called after each delivery of a room during the closed loop. */
  #onDelivery: ((room: number) => void) | undefined;
  /** Called once every expected delivery arrived. */
  #onComplete: (() => void) | undefined;

  constructor(driver: Driver, rooms: number) {
    this.#driver = driver;
    this.#rooms = rooms;
    this.#readersPerRoom = new Array<number>(rooms).fill(0);
    this.#deliveredPerRoom = new Array<number>(rooms).fill(0);
  }

  /** Opens every reader, then every publisher. */
  async connect(readersPerRoom: number, window: number, timeoutMs: number): Promise<IdleSample> {
    const readers = await openAll(this.#rooms * readersPerRoom, window, (index) => this.#openReader(index % this.#rooms), timeoutMs);
    this.#readers.push(...readers.sockets);
    const publishers = await openAll(
      this.#rooms,
      window,
      (room) => this.#driver.publisher(room, (reply) => this.#refusal(reply)),
      timeoutMs,
    );
    this.#publishers.push(...publishers.sockets);
    return {
      opened: readers.opened + publishers.opened,
      failed: readers.failed + publishers.failed,
      abandoned: readers.abandoned + publishers.abandoned,
      seconds: readers.seconds + publishers.seconds,
      firstError: readers.firstError ?? publishers.firstError,
    };
  }

  #openReader(room: number): BenchSocket {
    const socket = this.#driver.reader(room, (frame) => this.#frame(room, frame));
    socket.ready.then(
      () => {
        this.#readersPerRoom[room] = (this.#readersPerRoom[room] ?? 0) + 1;
        void socket.closed.then(() => {
          this.#readersPerRoom[room] = (this.#readersPerRoom[room] ?? 1) - 1;
          if (!this.#closing) this.#closedByServer++;
        });
      },
      () => undefined,
    );
    return socket;
  }

  #refusal(reply: string): void {
    this.#refused++;
    this.#lastRefusal = reply.slice(0, 300);
  }

  // The hot path: one indexOf and a few digits per frame, no parsing, no allocation.
  #frame(room: number, frame: Buffer): void {
    const sent = readSent(frame);
    if (sent < 0) return;
    const now = nowUs();
    this.#histogram.record(now - sent);
    this.#delivered++;
    this.#bytes += frame.length + wireHeaderBytes(frame.length);
    this.#deliveredPerRoom[room] = (this.#deliveredPerRoom[room] ?? 0) + 1;
    this.#lastFrameAt = now;
    this.#lastDeliveryAt = now;
    this.#onDelivery?.(room);
    if (this.#delivered >= this.#expected) this.#onComplete?.();
  }

  #publish(room: number): void {
    this.#publishers[room]?.send(this.#driver.publishFrame(payloadJson(nowUs(), this.#bodyBytes), room));
    this.#expected += this.#readersPerRoom[room] ?? 0;
  }

  /** Waits until frames of an unfinished earlier phase stop arriving, so they do not count in the next. */
  async #settle(): Promise<void> {
    if (this.#delivered >= this.#expected) return;
    const limit = performance.now() + SETTLE_LIMIT_MS;
    while (nowUs() - this.#lastFrameAt < QUIET_MS * 1000 && performance.now() < limit) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 5));
    }
  }

  #reset(): void {
    this.#histogram.reset();
    this.#delivered = 0;
    this.#bytes = 0;
    this.#expected = 0;
    this.#deliveredPerRoom.fill(0);
    this.#closedByServer = 0;
    this.#refused = 0;
    this.#lastRefusal = undefined;
  }

  /** Waits for every expected delivery, or the end of the grace period after sending stopped. */
  #drain(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#onComplete = undefined;
        resolve();
      };
      const timer = setTimeout(done, graceMs);
      this.#onComplete = done;
      if (this.#delivered >= this.#expected) done();
    });
  }

  #sample(rate: number, sent: number, startUs: number, sendEndUs: number, cpu: NodeJS.CpuUsage): LoadSample {
    const end = this.#delivered > 0 ? Math.max(this.#lastDeliveryAt, sendEndUs) : sendEndUs;
    const used = process.cpuUsage(cpu);
    return {
      rate,
      sent,
      expected: this.#expected,
      delivered: this.#delivered,
      bytes: this.#bytes,
      sendMs: (sendEndUs - startUs) / 1000,
      elapsedMs: (end - startUs) / 1000,
      latency: this.#histogram.summary(),
      closedByServer: this.#closedByServer,
      generatorCpuUs: used.user + used.system,
      refused: this.#refused,
      lastRefusal: this.#lastRefusal,
    };
  }

  /** Closed loop: each room keeps `window` messages in flight for `durationMs`. */
  async saturate(durationMs: number, window: number, graceMs: number, bodyBytes: number): Promise<LoadSample> {
    await this.#settle();
    this.#reset();
    this.#bodyBytes = bodyBytes;
    const sentPerRoom = new Array<number>(this.#rooms).fill(0);
    let sent = 0;
    let sending = true;
    const cpu = process.cpuUsage();
    const start = nowUs();
    const fill = (room: number) => {
      const readers = this.#readersPerRoom[room] ?? 0;
      if (readers === 0) return;
      const completed = Math.floor((this.#deliveredPerRoom[room] ?? 0) / readers);
      while (sending && (sentPerRoom[room] ?? 0) - completed < window && sent < MAX_SENDS) {
        this.#publish(room);
        sentPerRoom[room] = (sentPerRoom[room] ?? 0) + 1;
        sent++;
      }
    };
    this.#onDelivery = (room) => {
      // A message is complete when its whole room has it; refill only then, not on every frame.
      if ((this.#deliveredPerRoom[room] ?? 0) % (this.#readersPerRoom[room] || 1) === 0) fill(room);
    };
    for (let room = 0; room < this.#rooms; room++) fill(room);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    sending = false;
    this.#onDelivery = undefined;
    const sendEnd = nowUs();
    await this.#drain(graceMs);
    return this.#sample(0, sent, start, sendEnd, cpu);
  }

  /** Open loop: `rate` publishes per second over all rooms (round robin) for `durationMs`. */
  async step(rate: number, durationMs: number, graceMs: number, bodyBytes: number): Promise<LoadSample> {
    await this.#settle();
    this.#reset();
    this.#bodyBytes = bodyBytes;
    const total = Math.min(MAX_SENDS, Math.max(1, Math.round((rate * durationMs) / 1000)));
    let sent = 0;
    const cpu = process.cpuUsage();
    const start = nowUs();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor((rate * (nowUs() - start)) / 1e6) + 1);
        while (sent < due) this.#publish(sent++ % this.#rooms);
        if (sent < total) setTimeout(tick, TICK_MS);
        else resolve();
      };
      tick();
    });
    const sendEnd = nowUs();
    await this.#drain(graceMs);
    return this.#sample(rate, sent, start, sendEnd, cpu);
  }

  /** Closes every socket and waits (bounded) for each to be closed. */
  async close(timeoutMs: number): Promise<number> {
    this.#closing = true;
    const sockets = [...this.#readers, ...this.#publishers];
    for (const socket of sockets) socket.close();
    await Promise.race([Promise.all(sockets.map((socket) => socket.closed)), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    return sockets.length;
  }
}
