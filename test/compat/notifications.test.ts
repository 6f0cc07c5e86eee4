/**
 * The notifications demo's socket, spoken as the demo did: the spec's example command frames
 * (the demo's README) in, `message_type` answers out, checked by the contract tap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestSocket } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import { compatExamples } from './examples.ts';

/** Opens a socket of the route: it sends no `connected`, so only the handshake is awaited. */
async function openDemoSocket(url: string): Promise<TestSocket> {
  const ws = new WebSocket(url);
  const socket = new TestSocket(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return socket;
}

/** The next frame, whatever it is (the route sends no envelope, so frames are matched in order). */
const next = (socket: TestSocket) => socket.next(() => true, 'a message_type frame');

describe.each(backends)('the notifications demo socket on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let ada: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ backend });
    app = await createTestApp(server, 'demo');
    ada = await createTestUser(app, 'ada');
  });
  afterAll(() => server?.close());

  it("answers the demo's own frames at its own path: authorize, then quote, joke and ping", async () => {
    const [authorize, quote, joke, ping] = compatExamples('NotificationsCommand');
    expect(authorize).toEqual({ command: 'authorize', message: 'your_access_token' });
    await using socket = await openDemoSocket(`${server.wsUrl}/ws/user/notifications/`);
    socket.send(quote);
    expect(await next(socket)).toMatchObject({ message_type: 'error', message: { code: 'unauthenticated' } });
    socket.send(authorize);
    expect(await next(socket)).toMatchObject({ message_type: 'error', message: { code: 'unauthenticated' } });
    socket.send({ ...authorize, message: ada.token });
    expect(await next(socket)).toEqual({ message_type: 'authentication', message: 'Authorization successful' });
    expect(await next(socket)).toEqual({ message_type: 'greet', message: 'Welcome, ada! You are now connected. Cheers!' });
    socket.send(quote);
    expect(await next(socket)).toMatchObject({ message_type: 'quote', message: { quote: expect.any(String), author: expect.any(String) } });
    socket.send(joke);
    expect(await next(socket)).toMatchObject({ message_type: 'joke', message: { joke_type: 'twopart', setup: expect.any(String) } });
    socket.send(ping);
    expect(await next(socket)).toEqual({ message_type: 'pong', message: '' });
    // The first frame the socket got was an answer: no `connected` greeting on this route.
    expect(socket.frames[0]).toHaveProperty('message_type');
  });

  it('answers what is not a demo command with a catalog error, on /ws/notifications too', async () => {
    await using socket = await openDemoSocket(`${server.wsUrl}/ws/notifications`);
    for (const frame of ['not json', { command: 'dance' }, { command: 'ping', extra: 1 }, { action: 'ping' }]) {
      socket.send(frame);
      expect(await next(socket)).toMatchObject({ message_type: 'error', message: { code: 'bad_request' } });
    }
    socket.send({ command: 'ping' });
    expect(await next(socket)).toEqual({ message_type: 'pong', message: '' });
  });
});
