/**
 * The SDK against real servers on every backend: the user client authenticates with the
 * `authorize` frame (no token in any URL the server sees), the endpoint client sends and
 * receives, and room handles work end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, createEndpointClient, type RoomMessageOutput } from '@switchboard/sdk';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';

describe.each(backends)('SDK clients on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let ada: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ backend });
    app = await createTestApp(server, 'sdk-live');
    ada = await createTestUser(app, 'ada');
    await app.rest.rooms.create({ name: 'support' });
  });
  afterAll(() => server?.close());

  it('authenticates with the authorize frame: the URL carries no token, and welcome names the user', async () => {
    const urls: string[] = [];
    class Recording extends WebSocket {
      constructor(url: string) {
        urls.push(url);
        super(url);
      }
    }
    await using client = createClient({ url: `${server.wsUrl}/ws`, token: ada.token, reconnect: false, WebSocket: Recording });
    const open = await client.ready();
    expect(open.state).toBe('open');
    expect(client.user).toMatchObject({ id: ada.id, username: 'ada' });
    expect(urls).toEqual([`${server.wsUrl}/ws`]);
    const room = await client.chat.join({ room: 'support' });
    expect(room.members.map((m) => m.username)).toEqual(['ada']);
  });

  it('an endpoint client sends with message.send and a reader endpoint and a user both receive it', async () => {
    const writer = await app.rest.endpoints.create('support', { permissions: 'readwrite', identity: 'bot' });
    const reader = await app.rest.endpoints.create('support', { permissions: 'read', identity: 'screen' });
    await using user = createClient({ url: `${server.wsUrl}/ws`, token: ada.token });
    const room = await user.chat.join({ room: 'support' });
    await using bot = createEndpointClient({ url: server.wsUrl, code: writer.code });
    await using screen = createEndpointClient({ url: `${server.wsUrl}/ws`, code: reader.code });
    await Promise.all([bot.ready(), screen.ready()]);
    expect('chat' in bot).toBe(false);
    const heard = new Promise<unknown>((resolve) => screen.on('message', (m) => resolve(m)));
    const seen = new Promise<RoomMessageOutput>((resolve) => room.on('message', resolve));
    const sent = await bot.message.send({ data: { text: 'hello' } }, { timeoutMs: 10_000 });
    expect(sent).toMatchObject({ room: 'support', sender: { type: 'endpoint', identity: 'bot' }, data: { text: 'hello' } });
    expect(await heard).toMatchObject({ seq: sent.seq, data: { text: 'hello' } });
    expect(await seen).toMatchObject({ seq: sent.seq, sender: { identity: 'bot' } });
    await expect(screen.message.send({ data: 1 })).rejects.toMatchObject({ code: 'forbidden' });
    await room.leave();
  });
});
