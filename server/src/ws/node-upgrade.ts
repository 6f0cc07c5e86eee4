/**
 * The one file that knows how Node upgrades HTTP to WebSocket (on `ws`, the library
 * @hono/node-server uses too). It owns the server's `upgrade` event instead of going through
 * Hono's helper: a socket then keeps only what it needs (no Request, Context or URL per socket,
 * no MessageEvent per frame), and a refusal is written as the catalog's error body before the
 * handshake completes. Everything else sees an `UpgradeRequest`, a `RawSocket` and callbacks.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SwitchboardError, toSwitchboardError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { RawSocket, SocketCallbacks, SocketRouteEntry, UpgradeRequest } from './socket-contract.ts';

/** The part of `ws`'s private state this file relies on: the TCP socket under it. */
type WithTcpSocket = { _socket?: { cork(): void; uncork(): void } };

// Sockets corked during this tick; one callback at its end uncorks them all.
const corked = new Set<CorkingSocket>();
let flushScheduled = false;

function flushCorked(): void {
  flushScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Batches writes: the first frame of a tick corks the TCP socket and the end of the tick uncorks
 * it, so every frame a fan-out writes to this socket in between leaves in one `writev` instead
 * of one system call each (what dominates the CPU of a broadcast). Methods live on the prototype,
 * so an idle socket pays one small object for it.
 */
class CorkingSocket implements RawSocket {
  #corked = false;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(data: string | Buffer, options?: { binary: boolean }): void {
    if (!this.#corked) {
      const tcp = (this.#ws as unknown as WithTcpSocket)._socket;
      if (tcp) {
        tcp.cork();
        this.#corked = true;
        corked.add(this);
        if (!flushScheduled) {
          flushScheduled = true;
          process.nextTick(flushCorked);
        }
      }
    }
    if (options) this.#ws.send(data, options);
    else this.#ws.send(data);
  }

  /** Ends this tick's batch. */
  uncork(): void {
    this.#corked = false;
    (this.#ws as unknown as WithTcpSocket)._socket?.uncork();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  ping(): void {
    this.#ws.ping();
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'));
  return { pattern: new RegExp(`^${source}/?$`), names };
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function refuse(socket: Duplex, path: string, error: SwitchboardError, onRefuse: AttachOptions['onRefuse']): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: error.toWire() });
  onRefuse?.(path, error.status, body);
  const retryAfter = error.retryAfter === undefined ? '' : `Retry-After: ${Math.max(1, Math.ceil(error.retryAfter))}\r\n`;
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\nConnection: close\r\n${retryAfter}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** How `attachSocketRoutes` treats upgrades. */
export interface AttachOptions {
  maxPayloadBytes: number;
  log: Logger;
  /** Sees every refused upgrade (the contract test's tap): the request path, status and body. */
  onRefuse?: (path: string, status: number, body: string) => void;
}

/**
 * Takes over `server`'s upgrades for the given routes. Compression stays off: it costs CPU and
 * memory per socket and invites compression bombs, and frames are small JSON.
 */
export function attachSocketRoutes(server: Server, routes: SocketRouteEntry[], options: AttachOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
  const compiled = routes.map((route) => ({ ...compile(route.path), accept: route.accept }));
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void upgrade(incoming, socket, head);
  });
  server.on('close', () => wss.close());

  async function upgrade(incoming: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    let match: RegExpExecArray | null = null;
    const route = compiled.find((r) => (match = r.pattern.exec(url.pathname)) !== null);
    if (!route || !match || incoming.headers.upgrade?.toLowerCase() !== 'websocket') {
      refuse(
        socket,
        url.pathname,
        new SwitchboardError(
          'not_found',
          `No socket route at ${url.pathname.startsWith('/ws/endpoint/') ? '/ws/endpoint/:code' : url.pathname}.`,
        ),
        options.onRefuse,
      );
      return;
    }
    const values = (match as RegExpExecArray).slice(1);
    const request: UpgradeRequest = {
      url,
      peerAddress: incoming.socket.remoteAddress,
      param: (name) => {
        const value = values[route.names.indexOf(name)];
        return value === undefined ? undefined : decodeURIComponent(value);
      },
      header: (name) => {
        const value = incoming.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
      cookie: (name) => cookieOf(incoming.headers.cookie, name),
    };
    let attach: (socket: RawSocket) => SocketCallbacks;
    try {
      attach = await route.accept(request);
    } catch (err) {
      refuse(
        socket,
        url.pathname,
        toSwitchboardError(err, (e) => options.log.error({ err: e }, 'socket upgrade failed')),
        options.onRefuse,
      );
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(incoming, socket, head, (ws: WebSocket) => {
      const callbacks = attach(new CorkingSocket(ws));
      ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? callbacks.binary() : callbacks.message(data.toString())));
      ws.on('pong', callbacks.pong);
      ws.on('close', (code: number) => callbacks.end(code));
      ws.on('error', () => ws.terminate());
    });
  }
  return wss;
}
