/**
 * The one file that knows how Node upgrades HTTP to WebSocket (@hono/node-server 2.x has the
 * upgrade built in, on top of `ws`). Everything else sees a `RawSocket` and plain callbacks, so
 * another runtime needs a new version of this file only.
 */
import { upgradeWebSocket } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the connection layer needs of a socket; `ws`'s WebSocket has exactly this. */
export interface RawSocket {
  readonly readyState: number;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Sends a text frame. */
  send(data: string): void;
  /** Sends a frame already encoded; `{ binary: false }` makes it a text frame. */
  send(data: Buffer, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
}

/** The callbacks of one open socket. */
export interface SocketCallbacks {
  message(text: string): void;
  binary(): void;
  pong(): void;
  closed(code: number): void;
}

/** Runs during the HTTP upgrade request (may throw to refuse it); returns how to attach the socket once open. */
export type AcceptSocket = (c: Context) => Promise<(socket: RawSocket) => SocketCallbacks>;

/** The `ws` server that takes upgraded sockets; pass it to `serve({ websocket: { server } })`. */
export function createSocketServer(options: { maxPayloadBytes: number }): WebSocketServer {
  // Compression costs CPU and memory per socket and enables compression-bomb attacks; frames are small JSON.
  return new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
}

/** A Hono route handler that authenticates, upgrades and wires the socket to `accept`'s callbacks. */
export function socketRoute(accept: AcceptSocket): MiddlewareHandler {
  return upgradeWebSocket(async (c) => {
    const attach = await accept(c);
    let callbacks: SocketCallbacks | undefined;
    return {
      onOpen(_event, ws) {
        const raw = ws.raw as WebSocket;
        callbacks = attach(raw);
        raw.on('pong', callbacks.pong);
      },
      onMessage(event) {
        if (typeof event.data === 'string') callbacks?.message(event.data);
        else callbacks?.binary();
      },
      onClose(event) {
        callbacks?.closed(event.code);
      },
    };
  });
}
