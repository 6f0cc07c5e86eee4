import { describe, expect, test, vi } from 'vitest';
import { isSwitchboardError } from '@switchboard/sdk';
import { connect, nextEvent, nextState } from './client-helpers.ts';
import { delivered, expectJoin, join, joinAnswer, recordChat, roomMessage, sendMessages } from './chat-fixtures.ts';
import { fakeUser, startFakeServer } from './fake-server.ts';
import type { FakeConnection } from './fake-server.ts';

/** Ends `conn` as a restarting server would, and resolves with the client's next connection. */
async function reconnect(
  server: { nextConnection(): Promise<FakeConnection> },
  conn: FakeConnection,
  code = 4002,
): Promise<FakeConnection> {
  conn.close(code, 'restart');
  return server.nextConnection();
}

/** Proves the client sent nothing more: a ping it sends now is the next frame. */
async function nothingElseSent(client: { ping(): Promise<unknown> }, conn: FakeConnection): Promise<void> {
  const pong = client.ping();
  const frame = await conn.nextFrame();
  expect(frame.action).toBe('ping');
  conn.reply(frame, { pong: true, time: '2025-01-01T00:00:00.000Z' });
  await pong;
}

describe('welcome', () => {
  test('a socket opened with a token sends nothing before welcome, then exposes the user', async () => {
    await using server = await startFakeServer({ welcome: false });
    await using client = connect(server.url, { token: 'tok' });
    const authenticating = nextState(client, 'authenticating');
    const welcomed = nextEvent(client, 'welcome');
    const conn = await server.nextConnection();
    const joined = client.chat.join({ room: 'lobby' });
    expect(await authenticating).toMatchObject({ connectionId: 'conn-1', attempt: 0 });
    // The token goes in the first frame, never in the URL; the join waits behind it.
    expect(conn.url.searchParams.has('token')).toBe(false);
    expect(await conn.acceptAuthorize()).toBe('tok');
    await conn.roundTrip();
    expect(conn.unread).toBe(0);
    expect(client.user).toBeUndefined();
    conn.sendWelcome();
    expect(await welcomed).toMatchObject({ user: fakeUser });
    expect(client.user).toEqual(fakeUser);
    expect(client.state).toMatchObject({ state: 'open', connectionId: 'conn-1' });
    conn.reply(await expectJoin(conn, 'lobby'), joinAnswer('lobby', 0));
    await joined;
  });

  test('the token an authorize proved good authorizes the next socket', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const first = await server.nextConnection();
    // The fake answers authorize (and welcomes) by itself.
    await client.authorize({ token: 'later' });
    expect(await first.authorized).toBe('later');
    const authenticating = nextState(client, 'authenticating');
    const reopened = nextState(client, 'open');
    const second = await reconnect(server, first);
    expect(await second.authorized).toBe('later');
    expect(second.url.searchParams.has('token')).toBe(false);
    await authenticating;
    await reopened;
    expect(client.user).toEqual(fakeUser);
  });

  test('token_expired: getToken() runs, the new token is authorized, and rooms are rejoined after welcome', async () => {
    await using server = await startFakeServer({ welcome: false });
    const getToken = vi.fn(() => 'fresh');
    await using client = connect(server.url, { token: 'stale', getToken });
    const first = await server.nextConnection();
    await first.acceptAuthorize();
    first.sendWelcome();
    await join(client, first, 'lobby', 3);
    const authenticating = nextState(client, 'authenticating');
    const second = await reconnect(server, first, 4003);
    expect(await second.authorized).toBe('fresh');
    expect(second.url.searchParams.has('token')).toBe(false);
    expect(getToken).toHaveBeenCalledTimes(1);
    await authenticating;
    expect(await second.acceptAuthorize()).toBe('fresh');
    await second.roundTrip();
    expect(second.unread).toBe(0);
    second.sendWelcome();
    second.reply(await expectJoin(second, 'lobby', 3), joinAnswer('lobby', 3, { messages: [] }));
  });
});

describe('rooms across reconnects', () => {
  test('missed messages arrive once, in seq order, with tombstones; duplicates and raced copies are dropped', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { token: 'tok' });
    const log = recordChat(client);
    const first = await server.nextConnection();
    const joined = client.chat.join({ room: 'lobby' });
    const joinFrame = await expectJoin(first, 'lobby');
    // Live messages racing the first join: 2 is covered by lastSeq, 3 comes after it.
    sendMessages(first, 'lobby', 2, 3);
    first.reply(joinFrame, joinAnswer('lobby', 2));
    expect(await joined).toMatchObject({ lastSeq: 2 });
    const four = delivered(client, 'lobby', 4);
    sendMessages(first, 'lobby', 4);
    await four;

    const reconnecting = nextState(client, 'reconnecting');
    first.close(4001, 'slow');
    await reconnecting;
    // Sent while disconnected: it must go after the rejoin, which the server needs first.
    const sent = client.chat.send({ room: 'lobby', text: 'back' });
    const second = await server.nextConnection();
    expect(await second.authorized).toBe('tok');
    expect(second.url.searchParams.has('token')).toBe(false);
    const rejoin = await expectJoin(second, 'lobby', 4);
    const send = await second.nextFrame();
    expect(send).toMatchObject({ action: 'chat.send', payload: { room: 'lobby', text: 'back' } });
    // 7 races the answer that also carries it; 6 is then replayed; 8 is new.
    const eight = delivered(client, 'lobby', 8);
    sendMessages(second, 'lobby', 7);
    second.reply(rejoin, joinAnswer('lobby', 7, { messages: [5, -6, 7] }));
    sendMessages(second, 'lobby', 6, 8);
    await eight;
    expect(log).toEqual(['lobby#3', 'lobby#4', 'lobby#5', 'lobby#6†', 'lobby#7', 'lobby#8']);
    second.reply(send, roomMessage('lobby', 9));
    await sent;
  });

  test('a room left is not rejoined; the others are, each with its own since', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { token: 'tok' });
    const first = await server.nextConnection();
    await join(client, first, 'a', 5);
    await join(client, first, 'b', 0);
    await join(client, first, 'c', 2);
    const left = client.chat.leave({ room: 'b' });
    first.reply(await first.nextFrame(), { room: 'b' });
    await left;
    const second = await reconnect(server, first);
    second.reply(await expectJoin(second, 'a', 5), joinAnswer('a', 5, { messages: [] }));
    second.reply(await expectJoin(second, 'c', 2), joinAnswer('c', 2, { messages: [] }));
    await nothingElseSent(client, second);
  });

  test('more: true is followed page by page; a hole in a page is a chat.gap; live messages wait for the last page', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { token: 'tok' });
    const log = recordChat(client);
    const first = await server.nextConnection();
    await join(client, first, 'lobby', 10);
    const second = await reconnect(server, first);
    // The server pages the backlog oldest first; the client asks for the next page on the same socket.
    second.reply(await expectJoin(second, 'lobby', 10), joinAnswer('lobby', 30, { messages: [11, 12], more: true }));
    const page2 = await expectJoin(second, 'lobby', 12);
    // A live message arriving meanwhile waits until the backlog before it is delivered.
    const live = delivered(client, 'lobby', 31);
    sendMessages(second, 'lobby', 31);
    // This page lacks 13-17 (deleted or beyond history): announced, never skipped silently.
    second.reply(page2, joinAnswer('lobby', 30, { messages: [18, 19, 20], more: true }));
    second.reply(await expectJoin(second, 'lobby', 20), joinAnswer('lobby', 30, { messages: [21, 22, 23, 24, 25, 26, 27, 28, 29, 30] }));
    await live;
    const pages = Array.from({ length: 10 }, (_, i) => `lobby#${21 + i}`);
    expect(log).toEqual(['lobby#11', 'lobby#12', 'gap lobby 13-17', 'lobby#18', 'lobby#19', 'lobby#20', ...pages, 'lobby#31']);
  });

  test('a refused rejoin emits chat.rejoinFailed and forgets the room; one cut off by a close is retried', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { token: 'tok' });
    const first = await server.nextConnection();
    await join(client, first, 'gone', 1);
    await join(client, first, 'kept', 4);
    const second = await reconnect(server, first);
    await expectJoin(second, 'gone', 1);
    await expectJoin(second, 'kept', 4);
    // A live message racing a rejoin that never gets answered must not move `since` past 5 and 6.
    sendMessages(second, 'kept', 7);
    await second.roundTrip();
    const third = await reconnect(server, second);
    const failed = nextEvent(client, 'chat.rejoinFailed');
    third.fail(await expectJoin(third, 'gone', 1), 'not_found', 'no such room');
    third.reply(await expectJoin(third, 'kept', 4), joinAnswer('kept', 4, { messages: [] }));
    const { room, error } = await failed;
    expect(room).toBe('gone');
    expect(isSwitchboardError(error, 'chat.join')).toBe(true);
    expect(error).toMatchObject({ code: 'not_found', message: 'no such room' });
    const fourth = await reconnect(server, third);
    fourth.reply(await expectJoin(fourth, 'kept', 4), joinAnswer('kept', 4, { messages: [] }));
    await nothingElseSent(client, fourth);
  });

  test('a send resent on the next socket and refused there while its room waits to be rejoined fails unavailable, not forbidden', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { token: 'tok' });
    const first = await server.nextConnection();
    await join(client, first, 'lobby', 1);
    const sent = client.chat.send({ room: 'lobby', text: 'hi' });
    const original = await first.nextFrame();
    expect(original).toMatchObject({ action: 'chat.send', payload: { room: 'lobby', text: 'hi' } });
    // The socket drops before the answer: the SDK sends it again on the next socket, after the rejoin.
    const second = await reconnect(server, first);
    second.fail(await expectJoin(second, 'lobby', 1), 'unavailable', 'the database is not available');
    const resent = await second.nextFrame();
    expect(resent).toMatchObject({ action: 'chat.send', payload: original.payload });
    second.fail(resent, 'forbidden', 'Join the room first.');
    await expect(sent).rejects.toMatchObject({ code: 'unavailable', message: 'Rejoining lobby after an outage; send again.' });
  });

  test('messages of rooms the client never joined pass through untouched', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const log = recordChat(client);
    const last = delivered(client, 'elsewhere', 1);
    sendMessages(conn, 'elsewhere', 2, 2, 1);
    await last;
    expect(log).toEqual(['elsewhere#2', 'elsewhere#2', 'elsewhere#1']);
  });
});
