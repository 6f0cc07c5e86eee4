/**
 * Frame once, write many: a broadcast is turned into one complete WebSocket text frame, and
 * that same Buffer is written to every member through `ws`'s own frame writer. This is what
 * Socket.IO's broadcasts do (engine.io's `wsPreEncodedFrame`, the approach the `ws` maintainers
 * give in websockets/ws#617), so the baseline is the practical limit, not a handicap.
 */
import type { WebSocket } from 'ws';

/** Writes a ready-made frame to one socket. */
export type FrameWrite = (frame: Buffer) => void;

/** One unmasked, final text frame (server to client) around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, header);
  return frame;
}

/**
 * The socket's frame writer: `ws`'s internal `Sender#sendFrame` when this version has it, else
 * a plain `send` of the frame's payload (same bytes on the wire, one framing per socket).
 */
export function frameWriter(socket: WebSocket): FrameWrite {
  const sender: unknown = Reflect.get(socket, '_sender');
  const sendFrame: unknown = typeof sender === 'object' && sender !== null ? Reflect.get(sender, 'sendFrame') : undefined;
  if (typeof sendFrame === 'function') return (frame) => Reflect.apply(sendFrame, sender, [[frame]]);
  return (frame) => socket.send(frame.subarray(frame[1] === 126 ? 4 : frame[1] === 127 ? 10 : 2), { binary: false });
}

// Sockets corked in this tick; one callback at its end uncorks them all.
const corked = new Set<{ uncork(): void }>();
let flushScheduled = false;
const flush = () => {
  flushScheduled = false;
  for (const tcp of corked) tcp.uncork();
  corked.clear();
};

/**
 * Batches a writer's frames per tick: the first write corks the TCP socket and the end of the
 * tick uncorks it, so a fan-out's frames to one socket leave in one `writev`. The reference
 * `ws-batched` peer uses it to show what batching writes alone is worth.
 */
export function batchedWriter(socket: WebSocket, write: FrameWrite): FrameWrite {
  const tcp: unknown = Reflect.get(socket, '_socket');
  const cork: unknown = typeof tcp === 'object' && tcp !== null ? Reflect.get(tcp, 'cork') : undefined;
  const uncork: unknown = typeof tcp === 'object' && tcp !== null ? Reflect.get(tcp, 'uncork') : undefined;
  if (typeof cork !== 'function' || typeof uncork !== 'function') return write;
  const handle = { uncork: () => Reflect.apply(uncork, tcp, []) };
  return (frame) => {
    if (!corked.has(handle)) {
      Reflect.apply(cork, tcp, []);
      corked.add(handle);
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(flush);
      }
    }
    write(frame);
  };
}
