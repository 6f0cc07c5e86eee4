/**
 * Socket.IO 4.8 as its documentation sets it up: rooms, an auth middleware, the websocket
 * transport only, and with REDIS_URL the official `@socket.io/redis-adapter`.
 *
 * Environment: BENCH_SECRET (token key), REDIS_URL and REDIS_PREFIX (optional).
 * Clients send `auth: { room, role, token }`; publishers emit `pub`, readers get `msg`.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { isRecord } from '../messages.ts';
import { isRole, verifyToken, type Role } from '../token.ts';
import { closeServer, listen } from './listen.ts';
import { requireEnv, runPeer, type RunningPeer } from './harness.ts';

/** What publishers send. */
interface ClientEvents {
  pub: (data: unknown) => void;
}

/** What readers receive. */
interface ServerEvents {
  msg: (data: unknown) => void;
}

interface SocketData {
  room: string;
  role: Role;
}

async function start(): Promise<RunningPeer> {
  const secret = requireEnv('BENCH_SECRET');
  const redisUrl = process.env.REDIS_URL;
  const http = createServer();
  const io = new Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>(http, {
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 65_536,
  });
  const pub = redisUrl ? createClient({ url: redisUrl }) : undefined;
  const sub = pub?.duplicate();
  if (pub && sub) {
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub, { key: process.env.REDIS_PREFIX ?? 'socket.io' }));
  }

  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    if (!isRecord(auth)) return next(new Error('unauthorized'));
    const { room, role, token } = auth;
    if (typeof room !== 'string' || !isRole(role) || typeof token !== 'string' || !verifyToken(secret, room, role, token)) {
      return next(new Error('unauthorized'));
    }
    socket.data = { room, role };
    next();
  });
  io.on('connection', (socket) => {
    const { room, role } = socket.data;
    if (role === 'read') {
      void socket.join(room);
      return;
    }
    socket.on('pub', (data) => io.to(room).emit('msg', data));
  });

  const port = await listen(http);
  return {
    port,
    close: async () => {
      io.disconnectSockets(true);
      await closeServer(http);
      await Promise.all([pub?.quit(), sub?.quit()]);
    },
  };
}

await runPeer('socket.io', start);
