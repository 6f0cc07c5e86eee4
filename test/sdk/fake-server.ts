import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ConnectedEvent, ErrorCode, UserInfo, WelcomeEvent } from '@switchboard/protocol';

/** The user the fake server welcomes by default. */
export const fakeUser: UserInfo = { id: 'u-1', username: 'ada', staff: false };

/** A frame the SDK sent, as the fake server read it. */
export interface ClientFrame {
  action: string;
  id?: string | number;
  payload?: unknown;
}

/** A FIFO whose `next()` waits for the next item: tests wait for frames, never for time. */
class AsyncQueue<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  get size(): number {
    return this.#items.length;
  }
}

function isClientFrame(value: unknown): value is ClientFrame {
  return typeof value === 'object' && value !== null && 'action' in value && typeof value.action === 'string';
}

/** One socket the fake server accepted; the test scripts what it sends. */
export class FakeConnection {
  readonly url: URL;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The token of the socket's first `authorize` frame (answered and welcomed by the fake when `welcome` is on). */
  readonly authorized: Promise<string>;
  #socket: WebSocket;
  #frames = new AsyncQueue<ClientFrame>();

  constructor(socket: WebSocket, url: URL, answerAuthorize = false) {
    this.#socket = socket;
    this.url = url;
    let authorized: (token: string) => void = () => {};
    this.authorized = new Promise((resolve) => (authorized = resolve));
    let first = true;
    socket.on('message', (data) => {
      const value: unknown = JSON.parse(String(data));
      if (!isClientFrame(value)) throw new Error(`the SDK sent a frame without action: ${String(data)}`);
      const token = value.action === 'authorize' ? (value.payload as { token?: unknown } | undefined)?.token : undefined;
      if (first && typeof token === 'string') authorized(token);
      first = false;
      if (answerAuthorize && typeof token === 'string') {
        this.reply(value, { user: fakeUser });
        this.sendWelcome();
        return;
      }
      this.#frames.push(value);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** How many frames arrived that no `nextFrame()` took yet. */
  get unread(): number {
    return this.#frames.size;
  }

  /** The next frame the client sends. */
  nextFrame(): Promise<ClientFrame> {
    return this.#frames.next();
  }

  /** Takes the next frame, which must be `authorize`, answers it (without `welcome`) and returns its token. */
  async acceptAuthorize(): Promise<string> {
    const frame = await this.nextFrame();
    const token = (frame.payload as { token?: unknown } | undefined)?.token;
    if (frame.action !== 'authorize' || typeof token !== 'string') throw new Error(`expected authorize, got ${JSON.stringify(frame)}`);
    this.reply(frame, { user: fakeUser });
    return token;
  }

  /** Sends a frame (objects as JSON, strings as they are). */
  send(frame: unknown): void {
    this.#socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends the `connected` event, which opens the connection for the client. */
  sendConnected(overrides: Partial<ConnectedEvent> = {}): void {
    const payload: ConnectedEvent = {
      connectionId: 'conn-1',
      node: 'fake',
      protocol: 1,
      heartbeatMs: 30_000,
      maxFrameBytes: 65_536,
      ...overrides,
    };
    this.send({ action: 'connected', payload });
  }

  /** Sends `welcome`: the server accepted the token, and the socket is usable. */
  sendWelcome(user: UserInfo = fakeUser): void {
    const payload: WelcomeEvent = { user, app: { id: 'app-1', name: 'demo' }, expiresAt: '2030-01-01T00:00:00.000Z' };
    this.send({ action: 'welcome', payload });
  }

  /** Answers `frame` with a payload. */
  reply(frame: ClientFrame, payload: unknown): void {
    this.send({ action: frame.action, ref: frame.id, payload });
  }

  /** Answers `frame` with an error. */
  fail(frame: ClientFrame, code: ErrorCode, message: string = code): void {
    this.send({ action: frame.action, ref: frame.id, error: { code, message } });
  }

  /** Resolves after a protocol ping's pong: every frame the client sent before it has arrived. */
  roundTrip(): Promise<void> {
    return new Promise((resolve) => {
      this.#socket.once('pong', () => resolve());
      this.#socket.ping();
    });
  }

  /** Closes the socket with a close code, as the server would. */
  close(code: number, reason = ''): void {
    this.#socket.close(code, reason);
  }
}

/** An in-process WebSocket server on 127.0.0.1, scripted per test (centrifuge-js's fakeServer idea). */
export interface FakeServer extends AsyncDisposable {
  /** The `/ws` URL to give the client. */
  readonly url: string;
  /** The next connection (already accepted ones first). */
  nextConnection(): Promise<FakeConnection>;
}

/**
 * Starts a fake server; with `greet` (the default) each connection gets `connected` at once,
 * and with `welcome` (the default) a connection whose URL carries `?token=` then gets `welcome`,
 * and every `authorize` frame is answered and followed by `welcome` (not queued for the test).
 */
export async function startFakeServer(options: { greet?: boolean; welcome?: boolean } = {}): Promise<FakeServer> {
  const greet = options.greet ?? true;
  const welcome = options.welcome ?? true;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const connections = new AsyncQueue<FakeConnection>();
  const sockets = new Set<WebSocket>();
  let count = 0;
  server.on('connection', (socket, request) => {
    sockets.add(socket);
    const connection = new FakeConnection(socket, new URL(request.url ?? '/', 'ws://127.0.0.1'), greet && welcome);
    if (greet) connection.sendConnected({ connectionId: `conn-${++count}` });
    if (greet && welcome && connection.url.searchParams.has('token')) connection.sendWelcome();
    connections.push(connection);
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the fake server has no port');
  return {
    url: `ws://127.0.0.1:${address.port}/ws`,
    nextConnection: () => connections.next(),
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
