/**
 * App-signed tokens (POST /v1/tokens): a backend names its own user, gets a token, and that user
 * chats over a real socket with the given name, with nothing stored; the user stays its app's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type PresenceEvent } from '@switchboard/sdk';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, http, operator, type TestApp } from '../helpers/tenancy.ts';

describe.each(backends)('app-signed tokens on %s', (backend) => {
  let server: TestServer;
  let shop: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    server = await startTestServer({ backend });
    shop = await createTestApp(server, 'shop');
    other = await createTestApp(server, 'other');
    await shop.rest.rooms.create({ name: 'lobby' });
    await shop.rest.rooms.create({ name: 'back-office', staffOnly: true });
    await other.rest.rooms.create({ name: 'secret' });
  });
  afterAll(() => server?.close());

  const connect = (token: string) => createClient({ url: `${server.wsUrl}/ws`, token, reconnect: false });

  it("mints a token for the app's own user id: the socket, presence and messages show ext:<id> and the name", async () => {
    const minted = await shop.rest.tokens.create({ userId: '42', name: 'ada', expiresIn: 600 });
    expect(minted).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, user: { id: 'ext:42', username: 'ada', staff: false } });
    const { accessToken: grace } = await shop.rest.tokens.create({ userId: 'g-7', name: 'grace', staff: true });
    await using ada = connect(minted.accessToken);
    await using staff = connect(grace);
    const lobby = await ada.chat.join({ room: 'lobby' });
    const joined = new Promise<PresenceEvent>((resolve) => lobby.on('joined', resolve));
    await staff.chat.join({ room: 'lobby' });
    expect((await joined).user).toEqual({ id: 'ext:g-7', username: 'grace', staff: true });
    const sent = await lobby.send({ text: 'hello' });
    expect(sent.sender).toMatchObject({ type: 'user', id: 'ext:42', identity: 'ada' });
    // Staff flags come from the token: grace may enter the staff room and delete ada's message, ada may not.
    await expect(ada.chat.join({ room: 'back-office' })).rejects.toMatchObject({ code: 'forbidden' });
    await staff.chat.join({ room: 'back-office' });
    await staff.chat.delete({ room: 'lobby', id: sent.id });
    // Nothing was created: the app's user list stays empty.
    expect((await shop.rest.users.list()).items).toEqual([]);
  });

  it("keeps the app's users its own: another app's rooms are not found, the same id elsewhere is someone else", async () => {
    const { accessToken } = await shop.rest.tokens.create({ userId: '42', name: 'ada' });
    await using ada = connect(accessToken);
    await expect(ada.chat.join({ room: 'secret' })).rejects.toMatchObject({ code: 'not_found' });
    expect((await ada.rooms.list()).rooms.map((r) => r.name).sort()).toEqual(['back-office', 'lobby']);
    const { accessToken: theirs } = await other.rest.tokens.create({ userId: '42', name: 'mallory' });
    await using mallory = connect(theirs);
    await mallory.chat.join({ room: 'secret' });
    await expect(mallory.chat.join({ room: 'lobby' })).rejects.toMatchObject({ code: 'not_found' });
    expect(mallory.user).toEqual({ id: 'ext:42', username: 'mallory', staff: false });
  });

  it('refuses bad input with the catalog, needs the API key, and dies with its app', async () => {
    const bad = await http(server, 'POST', '/v1/tokens', {
      headers: { 'API-Key': shop.apiKey },
      body: JSON.stringify({ userId: 'has space', name: 'x', expiresIn: 10 }),
    });
    expect(bad).toMatchObject({ status: 422, body: { error: { code: 'validation_failed' } } });
    const anonymous = await http(server, 'POST', '/v1/tokens', { body: JSON.stringify({ userId: '1', name: 'x' }) });
    expect(anonymous.status).toBe(401);
    const doomed = await createTestApp(server, 'doomed');
    const { accessToken } = await doomed.rest.tokens.create({ userId: '1', name: 'temp' });
    await operator(server).apps.delete(doomed.id);
    const client = connect(accessToken);
    await expect(client.ready()).rejects.toMatchObject({ code: 'unauthenticated' });
    await client.close();
  });
});
