/** What the load generator needs of a peer's client protocol, whatever the peer. */

/** Receives each frame a reader socket gets, as raw bytes (never parsed). */
export type FrameSink = (frame: Buffer) => void;

/** A socket of the load generator. */
export interface BenchSocket {
  /** Resolves once the peer accepted the socket: authenticated and in its room. */
  readonly ready: Promise<void>;
  /** Resolves with the close code once the socket is closed, by either side. */
  readonly closed: Promise<number>;
  send(frame: string): void;
  /** Closes abruptly (no closing handshake): the generator is done with it. */
  close(): void;
}

/** The client protocols the generator speaks. */
export type Protocol = 'raw-ws' | 'socket-io' | 'switchboard' | 'switchboard-chat';

/** Where and how to reach the server(s) under test. */
export interface Target {
  protocol: Protocol;
  /** `http://127.0.0.1:<port>` of the node publishers connect to. */
  publishUrl: string;
  /** `http://127.0.0.1:<port>` of the node readers connect to (another node in the cross-node scenario). */
  readUrl: string;
  /** Signs the hand-written peers' tokens. */
  secret: string;
  /** The operator token of a Switchboard server. */
  adminToken: string;
  /** Whether rooms keep history (Switchboard). */
  history: boolean;
}

/** Whether the peer can run the room scenarios at all. */
export type Prepared = { available: true } | { available: false; reason: string };

/** A peer's client side: credentials, then sockets. */
export interface Driver {
  /** Creates `rooms` rooms and the credentials to join each as a reader or a publisher, for up to `readers` reader sockets at once. */
  prepare(rooms: number, readers: number): Promise<Prepared>;
  /** Opens a reader of room `room` (0-based). */
  reader(room: number, sink: FrameSink): BenchSocket;
  /** Opens the publisher of room `room`; `onRefused` hears each publish the server refused. */
  publisher(room: number, onRefused: (reply: string) => void): BenchSocket;
  /** The frame a publisher of `room` sends to broadcast `json`. */
  publishFrame(json: string, room: number): string;
}
