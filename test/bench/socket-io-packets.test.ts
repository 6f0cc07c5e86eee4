/**
 * The load generator speaks Socket.IO as raw Engine.IO/Socket.IO packets over `ws`; this proves
 * those packets are the ones socket.io-client exchanges with the benchmark's Socket.IO server,
 * in both directions, and that a bad token is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { socketIoDriver } from '../../scripts/bench/load/drivers/socket-io.ts';
import type { Target } from '../../scripts/bench/load/drivers/index.ts';
import { payloadJson, readSent } from '../../scripts/bench/load/payload.ts';
import { benchFile } from '../../scripts/bench/runner/paths.ts';
import { startPeerProcess, type PeerProcess } from '../../scripts/bench/runner/peer-process.ts';
import { signToken, type Role } from '../../scripts/bench/token.ts';

const SECRET = 'socket-io-packets-test';
let peer: PeerProcess;
let target: Target;
const clients: Socket[] = [];

beforeAll(async () => {
  peer = await startPeerProcess('socket.io', benchFile('peers/socket-io.ts'), { BENCH_SECRET: SECRET });
  target = { protocol: 'socket-io', publishUrl: peer.url, readUrl: peer.url, secret: SECRET, adminToken: '', history: false };
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await peer?.stop();
});

async function realClient(role: Role): Promise<Socket> {
  const client = io(peer.url, {
    transports: ['websocket'],
    reconnection: false,
    auth: { room: 'r0', role, token: signToken(SECRET, 'r0', role) },
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('connect_error', reject);
  });
  return client;
}

describe('the generator’s Socket.IO packets', () => {
  it('receive what socket.io-client publishes', async () => {
    const driver = socketIoDriver(target);
    const frame = new Promise<Buffer>((resolve) => {
      const reader = driver.reader(0, resolve);
      void reader.ready.then(async () => {
        const publisher = await realClient('write');
        publisher.emit('pub', JSON.parse(payloadJson(123)));
      });
    });
    expect(readSent(await frame)).toBe(123);
  });

  it('publish what socket.io-client receives', async () => {
    const driver = socketIoDriver(target);
    const reader = await realClient('read');
    const received = new Promise<unknown>((resolve) => reader.once('msg', resolve));
    const publisher = driver.publisher(0, () => undefined);
    await publisher.ready;
    publisher.send(driver.publishFrame(payloadJson(456), 0));
    expect(await received).toMatchObject({ sent: 456 });
    publisher.close();
  });

  it('are refused with a bad token', async () => {
    const driver = socketIoDriver({ ...target, secret: 'wrong' });
    await expect(driver.reader(0, () => undefined).ready).rejects.toThrow(/refused/);
  });
});
