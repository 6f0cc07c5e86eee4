/** The one `ws` client wrapper every driver builds on, so each peer costs the generator the same. */
import WebSocket from 'ws';
import type { BenchSocket } from './types.ts';

const HANDSHAKE_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 20_000;

/** How a driver reads its protocol off the raw frames. */
export interface WsSocketHandlers {
  /** Ready as soon as the upgrade completes (true), or when the driver says so (`markReady`). */
  readyOnOpen: boolean;
  /** Called once the upgrade completes (e.g. to send the command whose answer makes the socket ready). */
  open?(socket: WsBenchSocket): void;
  frame(socket: WsBenchSocket, frame: Buffer): void;
}

/** A `ws` client socket with a readiness promise and abrupt close. */
export class WsBenchSocket implements BenchSocket {
  readonly ready: Promise<void>;
  readonly closed: Promise<number>;
  readonly #ws: WebSocket;
  #resolveReady: () => void = () => undefined;
  #rejectReady: (err: Error) => void = () => undefined;
  #isReady = false;

  constructor(url: string, handlers: WsSocketHandlers) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Callers await `ready` later; a refusal before they do must not count as unhandled.
    this.ready.catch(() => undefined);
    const timer = setTimeout(() => this.fail(new Error('not ready in time')), READY_TIMEOUT_MS);
    void this.ready.finally(() => clearTimeout(timer)).catch(() => undefined);
    this.#ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.closed = new Promise((resolve) => this.#ws.once('close', (code) => resolve(code)));
    this.#ws.on('error', (err) => this.fail(err));
    this.#ws.once('close', (code) => this.fail(new Error(`closed before ready (${code})`)));
    if (handlers.readyOnOpen) this.#ws.once('open', () => this.markReady());
    const { open } = handlers;
    if (open) this.#ws.once('open', () => open(this));
    this.#ws.on('message', (data, isBinary) => {
      if (!isBinary && Buffer.isBuffer(data)) handlers.frame(this, data);
    });
  }

  /** Whether the peer has accepted the socket. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /** Marks the socket accepted. */
  markReady(): void {
    this.#isReady = true;
    this.#resolveReady();
  }

  /** Refuses readiness and drops the socket. */
  fail(err: Error): void {
    if (this.#isReady) return;
    this.#rejectReady(err);
    this.close();
  }

  /** Sends one text frame. */
  send(frame: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(frame);
  }

  /** Drops the connection at once. */
  close(): void {
    this.#ws.terminate();
  }
}

/** `http://…` to `ws://…`. */
export function toWsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}
