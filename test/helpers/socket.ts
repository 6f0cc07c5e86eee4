/**
 * A plain WebSocket test client (no SDK): what a wscat user or a Python script sees. Waits for
 * frames by predicate instead of sleeping; a deadline only turns a hang into a clear failure.
 */
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { deadline } from './deadline.ts';

/** A frame as parsed JSON. */
export type Frame = {
  action: string;
  ref?: string | number;
  payload?: unknown;
  error?: { code: string; message: string; details?: unknown };
};

// A frame that should come comes in milliseconds; the deadline only turns a hang into a failure.
const DEADLINE_MS = deadline(5_000);

/** A connected raw socket that records every frame. */
export class TestSocket implements AsyncDisposable {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void; from: number }[] = [];
  #cursor = 0;
  #nextId = 1;

  constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => {
      // The protocol is JSON text; a binary frame (e.g. a fan-out sent as bytes without the text flag) is a bug.
      if (isBinary) throw new Error(`the server sent a binary frame: ${data.toString().slice(0, 80)}`);
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => !(w.match(frame) && (w.resolve(frame), true)));
    });
  }

  /** Sends an object as JSON, or a string as it is. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first frame (received now or later) matching `match` after the last one `next` returned:
   * events are consumed in order. Answers to `request` are found by ref and do not move this cursor.
   */
  next(match: (f: Frame) => boolean = () => true, what = 'a matching frame'): Promise<Frame> {
    return this.#find(match, what, true);
  }

  #find(match: (f: Frame) => boolean, what: string, advance: boolean, timeoutMs = DEADLINE_MS): Promise<Frame> {
    const start = advance ? this.#cursor : 0;
    const index = this.frames.findIndex((f, i) => i >= start && match(f));
    if (index >= 0) {
      if (advance) this.#cursor = index + 1;
      return Promise.resolve(this.frames[index]!);
    }
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(start))}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        from: start,
        resolve: (f) => {
          clearTimeout(timer);
          if (advance) this.#cursor = this.frames.indexOf(f) + 1;
          resolve(f);
        },
      });
    });
  }

  /** Sends a command with a fresh id and resolves with its answer (reply or error event). */
  async request(action: string, payload?: unknown): Promise<Frame> {
    return this.requestWithin(action, payload, DEADLINE_MS);
  }

  /** Like `request`, for an answer that may take longer than the usual deadline (a dependency outage); `timeoutMs` comes from `deadline()`. */
  async requestWithin(action: string, payload: unknown, timeoutMs: number): Promise<Frame> {
    const id = `t${this.#nextId++}`;
    this.send(payload === undefined ? { action, id } : { action, id, payload });
    return this.#find((f) => f.ref === id, `answer to ${action} #${id}`, false, timeoutMs);
  }

  /** Closes and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Opens a socket and waits for the `connected` event. */
export async function openSocket(url: string, options?: WebSocket.ClientOptions): Promise<TestSocket> {
  const ws = new WebSocket(url, options);
  const socket = new TestSocket(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  await socket.next((f) => f.action === 'connected', 'connected event');
  return socket;
}

/** Attempts an upgrade that should be refused; resolves with the HTTP status. */
export function refusedUpgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.once('error', () => undefined);
  });
}

/** Opens a socket the server should refuse in band: it completes the handshake, sends no frame and closes; resolves with the close code and the frames seen. */
export function closedOnOpen(url: string, options?: WebSocket.ClientOptions): Promise<{ code: number; frames: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const frames: string[] = [];
    ws.on('message', (data: Buffer) => frames.push(data.toString()));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('close', (code) => resolve({ code, frames }));
    ws.once('error', () => undefined);
  });
}

/** Sends a raw upgrade request and returns the refusal's status and JSON body (no WebSocket client involved). */
export function refusedUpgradeBody(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; retryAfter: string | undefined }> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const request = httpRequest(target, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    request.once('upgrade', () => reject(new Error('the upgrade was accepted')));
    request.once('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown, retryAfter });
      });
    });
    request.once('error', reject);
    request.end();
  });
}
