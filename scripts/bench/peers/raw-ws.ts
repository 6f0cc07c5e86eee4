/**
 * The baseline: a hand-written `ws` server, what a careful Node developer gets without a
 * framework. Rooms are a `Map<room, Set<member>>`; each broadcast is parsed once, serialized
 * once and framed once, and every member is written that same frame. With REDIS_URL the
 * broadcast goes through Redis pub/sub (one PUBLISH, one subscription per room per node), the
 * same shape as a cross-node deployment of the others.
 *
 * Environment: BENCH_SECRET (token key), REDIS_URL and REDIS_PREFIX (optional), BATCH_WRITES=1
 * (the reference variant: each socket's writes corked for a tick).
 * Sockets: ws://127.0.0.1:<port>/?room=<room>&role=read|write&token=<hmac>.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createClient } from 'redis';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isRecord } from '../messages.ts';
import { isRole, verifyToken, type Role } from '../token.ts';
import { closeServer, listen } from './listen.ts';
import { batchedWriter, frameWriter, textFrame, type FrameWrite } from './text-frame.ts';
import { requireEnv, runPeer, type RunningPeer } from './harness.ts';

// Same limits as Switchboard's defaults, so both pay for the same checks.
const MAX_PAYLOAD = 65_536;
const MAX_BUFFERED = 1_048_576;
const SLOW_CONSUMER = 4001;
const OPEN = 1;

interface Member {
  socket: WebSocket;
  write: FrameWrite;
}

async function start(): Promise<RunningPeer> {
  const secret = requireEnv('BENCH_SECRET');
  const redisUrl = process.env.REDIS_URL;
  const prefix = process.env.REDIS_PREFIX ?? 'bench:';
  const batch = process.env.BATCH_WRITES === '1';
  const rooms = new Map<string, Set<Member>>();
  const pub = redisUrl ? createClient({ url: redisUrl }) : undefined;
  const sub = pub?.duplicate();
  await Promise.all([pub?.connect(), sub?.connect()]);

  const deliver = (members: Set<Member>, payload: Buffer) => {
    const frame = textFrame(payload);
    for (const { socket, write } of members) {
      if (socket.readyState !== OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED) socket.close(SLOW_CONSUMER, 'slow consumer');
      else write(frame);
    }
  };
  // With Redis a room's subscription is ready before any member's upgrade completes, so nothing published after "open" is missed.
  const subscriptions = new Map<string, Promise<unknown>>();
  const membersOf = async (room: string): Promise<Set<Member>> => {
    let members = rooms.get(room);
    if (!members) {
      const local = new Set<Member>();
      rooms.set(room, local);
      if (sub)
        subscriptions.set(
          room,
          sub.subscribe(`${prefix}${room}`, (frame: Buffer) => deliver(local, frame), true),
        );
      members = local;
    }
    await subscriptions.get(room);
    return members;
  };
  const broadcast = (room: string, data: unknown) => {
    const frame = Buffer.from(JSON.stringify({ action: 'message', payload: { room, data } }));
    if (pub) {
      pub.publish(`${prefix}${room}`, frame).catch((err: unknown) => console.error('publish failed', err));
    } else {
      const members = rooms.get(room);
      if (members) deliver(members, frame);
    }
  };
  const onFrame = (room: string, raw: RawData, isBinary: boolean) => {
    if (isBinary) return;
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return;
    }
    if (isRecord(frame) && frame.action === 'message.send' && isRecord(frame.payload) && 'data' in frame.payload) {
      broadcast(room, frame.payload.data);
    }
  };

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  const attach = (socket: WebSocket, room: string, role: Role, members: Set<Member>) => {
    if (role === 'read') {
      const write = frameWriter(socket);
      const member = { socket, write: batch ? batchedWriter(socket, write) : write };
      members.add(member);
      socket.on('close', () => members.delete(member));
    } else {
      socket.on('message', (raw, isBinary) => onFrame(room, raw, isBinary));
    }
  };
  const upgrade = async (request: IncomingMessage, tcp: Duplex, head: Buffer) => {
    const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
    const room = query.get('room');
    const role = query.get('role');
    const token = query.get('token');
    if (!room || !isRole(role) || !token || !verifyToken(secret, room, role, token)) {
      tcp.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const members = await membersOf(room);
    wss.handleUpgrade(request, tcp, head, (socket) => attach(socket, room, role, members));
  };

  const http = createServer((_request, response) => response.writeHead(404).end());
  http.on('upgrade', (request: IncomingMessage, tcp: Duplex, head: Buffer) => {
    upgrade(request, tcp, head).catch((err: unknown) => {
      console.error('upgrade failed', err);
      tcp.destroy();
    });
  });
  const port = await listen(http);
  return {
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await closeServer(http);
      await Promise.all([pub?.quit(), sub?.quit()]);
    },
  };
}

await runPeer('raw-ws', start);
