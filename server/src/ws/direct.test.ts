/** Frames for one connection: addressed by its id on its node's topic, delivered to it alone. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.ts';
import { Connection } from './connection.ts';
import { encodeClose } from './control.ts';
import { addressConnection, deliverDirect, newConnectionId, nodeTopic } from './direct.ts';
import type { RawSocket } from './socket-contract.ts';

class FakeSocket implements RawSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: (string | Buffer)[] = [];
  closedWith: number | undefined;
  send(data: string | Buffer): void {
    this.sent.push(data);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {}
  ping(): void {}
}

const silent = createLogger({ level: 'silent' });
const limits = { maxBufferedBytes: 1024, framesPerSecond: 100, frameBurst: 10, maxInbox: 10, malformedPerMinute: 10 };

function connection(id: string): { connection: Connection; socket: FakeSocket } {
  const socket = new FakeSocket();
  const handle = async (): Promise<void> => {};
  return { socket, connection: new Connection({ id, route: '/ws', socket, log: silent, limits, handle }) };
}

describe('direct frames', () => {
  it('names the node in every new connection id, and never repeats one', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newConnectionId('node-7')));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^node-7\.[0-9a-f-]{36}$/);
  });

  it('addresses a frame to the node topic of the connection, with its id in front', () => {
    const id = newConnectionId('node-7');
    expect(addressConnection(id, '{"action":"notification"}')).toEqual({
      topic: nodeTopic('node-7'),
      message: `${id}\n{"action":"notification"}`,
    });
  });

  it('refuses an id that names no node', () => {
    expect(() => addressConnection('no-dot', '{}')).toThrow(TypeError);
    expect(() => addressConnection('.uuid', '{}')).toThrow(TypeError);
  });

  it('delivers to the addressed local connection only, frames with newlines included', () => {
    const a = connection(newConnectionId('n'));
    const b = connection(newConnectionId('n'));
    const listener = deliverDirect(new Map([a, b].map((entry) => [entry.connection.id, entry.connection])));
    const frame = '{"action":"notification","payload":{"message":"two\\nlines"}}';
    listener(addressConnection(b.connection.id, frame).message);
    expect(b.socket.sent).toEqual([frame]);
    expect(a.socket.sent).toEqual([]);
  });

  it('applies a control message to the addressed connection', () => {
    const a = connection(newConnectionId('n'));
    const listener = deliverDirect(new Map([[a.connection.id, a.connection]]));
    listener(addressConnection(a.connection.id, encodeClose('unauthorized')).message);
    expect(a.socket.closedWith).toBe(4501);
    expect(a.socket.sent).toEqual([]);
  });

  it('drops a frame for a connection that already left this node', () => {
    const listener = deliverDirect(new Map());
    expect(() => listener(addressConnection(newConnectionId('n'), '{}').message)).not.toThrow();
  });
});
