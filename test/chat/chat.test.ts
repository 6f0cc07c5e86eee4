/**
 * Multi-room chat over one socket, with several SDK clients: rooms, staff-only refusal,
 * edit/delete rules, history and `since`, presence, the live room list, notifications and tenant
 * isolation of tokens. On embedded defaults every client is on one node; on Postgres and Redis
 * they are spread over two nodes that share both, so each rule also holds across nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, isSwitchboardError, type SwitchboardClient } from '@switchboard/sdk';
import { createSharedBackend, startTestServer, type Backend, type SharedBackend, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp, type TestUser } from '../helpers/tenancy.ts';
import { EventLog } from '../helpers/events.ts';
import { deadline } from '../helpers/deadline.ts';
import { openSocket } from '../helpers/socket.ts';

/** What one `chat.join` with `since` returns at most (the spec's ChatJoinInput says 500). */
const MAX_CATCH_UP = 500;

const EVENTS = [
  'welcome',
  'chat.message',
  'chat.edited',
  'chat.deleted',
  'chat.joined',
  'chat.left',
  'chat.member',
  'user.updated',
  'rooms.changed',
  'notification',
] as const;

/** Embedded runs on one node (its channel layer is in-process); Postgres and Redis on two. */
const deployments: { backend: Backend; nodes: 1 | 2 }[] = [
  { backend: 'embedded', nodes: 1 },
  { backend: 'postgres+redis', nodes: 2 },
];

describe.each(deployments)('chat on $backend ($nodes node(s))', ({ backend, nodes }) => {
  let shared: SharedBackend | undefined;
  let a: TestServer;
  let b: TestServer;
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const clients: SwitchboardClient[] = [];

  async function connect(server: TestServer, user: TestUser) {
    const client = createClient({ url: `${server.wsUrl}/ws`, token: user.token, validate: true });
    clients.push(client);
    const log = new EventLog(client, EVENTS);
    await log.wait('welcome');
    return { client, log };
  }

  beforeAll(async () => {
    if (nodes === 2) {
      shared = await createSharedBackend();
      a = await startTestServer({ backend, shared });
      b = await startTestServer({ backend, shared });
    } else {
      a = b = await startTestServer({ backend });
    }
    app = await createTestApp(a, 'chat');
    [alice, bob, carol] = await Promise.all([
      createTestUser(app, 'alice', { staff: true }),
      createTestUser(app, 'bob'),
      createTestUser(app, 'carol'),
    ]);
    await app.rest.rooms.create({ name: 'lobby' });
    await app.rest.rooms.create({ name: 'dev' });
    await app.rest.rooms.create({ name: 'staff', staffOnly: true });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a?.close();
    if (b !== a) await b?.close();
    await shared?.close();
  });

  it('multiplexes rooms over one socket across nodes, with presence', async () => {
    const ann = await connect(a, alice);
    const ben = await connect(b, bob);
    const lobby = await ann.client.chat.join({ room: 'lobby' });
    expect(lobby.members.map((m) => m.username)).toEqual(['alice']);
    await ann.client.chat.join({ room: 'dev' });
    const joined = await ben.client.chat.join({ room: 'lobby' });
    expect(joined.members.map((m) => m.username)).toEqual(['alice', 'bob']);
    expect(await ann.log.wait('chat.joined', (e) => e.user.username === 'bob')).toEqual({
      room: 'lobby',
      user: { id: bob.id, username: 'bob', staff: false },
    });

    const sent = await ben.client.chat.send({ room: 'lobby', text: 'hello from b', data: { mood: 'happy' } });
    expect(sent).toMatchObject({
      room: 'lobby',
      seq: 1,
      text: 'hello from b',
      data: { mood: 'happy' },
      sender: { type: 'user', id: bob.id, identity: 'bob' },
    });
    expect(await ann.log.wait('chat.message', (m) => m.room === 'lobby')).toEqual(sent);
    await ann.client.chat.send({ room: 'dev', text: 'dev only' });
    expect(await ann.log.wait('chat.message', (m) => m.room === 'dev')).toMatchObject({ text: 'dev only' });
    // bob is not in dev: a later lobby message arrives, the dev one never did.
    await ann.client.chat.send({ room: 'lobby', text: 'back to lobby' });
    await ben.log.wait('chat.message', (m) => m.text === 'back to lobby');
    expect(ben.log.of('chat.message').map((m) => m.room)).not.toContain('dev');

    await ben.client.chat.leave({ room: 'lobby' });
    expect(await ann.log.wait('chat.left', (e) => e.user.username === 'bob')).toMatchObject({ room: 'lobby' });
    const sendAfterLeave = await ben.client.chat.send({ room: 'lobby', text: 'x' }).catch((e: unknown) => e);
    expect(isSwitchboardError(sendAfterLeave, 'chat.send') && sendAfterLeave.code).toBe('forbidden');
  });

  it('announces a user once however many sockets they open, and their leaving when the last one closes', async () => {
    const watcher = await connect(a, alice);
    await watcher.client.chat.join({ room: 'dev' });
    const first = await connect(a, carol);
    const second = await connect(b, carol);
    await first.client.chat.join({ room: 'dev' });
    await second.client.chat.join({ room: 'dev' });
    await watcher.log.wait('chat.joined', (e) => e.user.username === 'carol');
    await first.client.close();
    await second.client.chat.send({ room: 'dev', text: 'still here' });
    await watcher.log.wait('chat.message', (m) => m.text === 'still here');
    expect(watcher.log.of('chat.joined').filter((e) => e.user.username === 'carol')).toHaveLength(1);
    expect(watcher.log.of('chat.left').filter((e) => e.user.username === 'carol')).toHaveLength(0);
    await second.client.close();
    expect(await watcher.log.wait('chat.left', (e) => e.user.username === 'carol')).toMatchObject({ room: 'dev' });
  });

  it("tells a room once when a member's display name changes, however many sockets they have there", async () => {
    await app.rest.rooms.create({ name: 'renames' });
    const watcher = await connect(a, alice);
    await watcher.client.chat.join({ room: 'renames' });
    const first = await connect(a, carol);
    const second = await connect(b, carol);
    await first.client.chat.join({ room: 'renames' });
    await second.client.chat.join({ room: 'renames' });
    await app.rest.users.update(carol.id, { displayName: 'Carol Renamed' });
    expect(await watcher.log.wait('chat.member')).toEqual({
      room: 'renames',
      user: { id: carol.id, username: 'carol', displayName: 'Carol Renamed', staff: false },
    });
    await Promise.all([first.log.wait('user.updated'), second.log.wait('user.updated')]);
    // A message published after both sockets applied the change: a second announcement would be ahead of it.
    await second.client.chat.send({ room: 'renames', text: 'renamed' });
    await watcher.log.wait('chat.message', (m) => m.text === 'renamed');
    expect(watcher.log.of('chat.member')).toHaveLength(1);
    // The members list of a later join has the new name too.
    const late = await connect(b, bob);
    const { members } = await late.client.chat.join({ room: 'renames' });
    expect(members.find((m) => m.id === carol.id)?.displayName).toBe('Carol Renamed');
    await app.rest.users.update(carol.id, { displayName: null });
    await Promise.all([first.client.close(), second.client.close(), watcher.client.close(), late.client.close()]);
  });

  it("handles a socket's frames in order: a send written right behind its join finds the room joined", async () => {
    await app.rest.rooms.create({ name: 'eager' });
    await using socket = await openSocket(`${b.wsUrl}/ws?token=${alice.token}`);
    await socket.next((f) => f.action === 'welcome');
    socket.send({ action: 'chat.join', id: 'join', payload: { room: 'eager' } });
    socket.send({ action: 'chat.send', id: 'send', payload: { room: 'eager', text: 'right behind' } });
    const answer = await socket.next((f) => f.ref === 'send');
    expect(answer.error).toBeUndefined();
    expect(answer.payload).toMatchObject({ room: 'eager', text: 'right behind' });
  });

  it('refuses staff-only rooms to non-staff and lets staff in', async () => {
    const ben = await connect(b, bob);
    const refused = await ben.client.chat.join({ room: 'staff' }).catch((e: unknown) => e);
    expect(isSwitchboardError(refused, 'chat.join') && refused.code).toBe('forbidden');
    const history = await ben.client.chat.history({ room: 'staff' }).catch((e: unknown) => e);
    expect(isSwitchboardError(history, 'chat.history') && history.code).toBe('forbidden');
    const ann = await connect(a, alice);
    expect((await ann.client.chat.join({ room: 'staff' })).room).toMatchObject({ name: 'staff', staffOnly: true });
    const missing = await ann.client.chat.join({ room: 'nowhere' }).catch((e: unknown) => e);
    expect(isSwitchboardError(missing, 'chat.join') && missing.code).toBe('not_found');
  });

  it('lets only the author or staff edit and delete, and tells every member', async () => {
    await app.rest.rooms.create({ name: 'edits' });
    const ann = await connect(a, alice);
    const ben = await connect(b, bob);
    const cat = await connect(b, carol);
    for (const c of [ann, ben, cat]) await c.client.chat.join({ room: 'edits' });
    const message = await ben.client.chat.send({ room: 'edits', text: 'typo' });

    const byOther = await cat.client.chat.edit({ room: 'edits', id: message.id, text: 'hijacked' }).catch((e: unknown) => e);
    expect(isSwitchboardError(byOther, 'chat.edit') && byOther.code).toBe('forbidden');
    const edited = await ben.client.chat.edit({ room: 'edits', id: message.id, text: 'fixed' });
    expect(edited).toMatchObject({ id: message.id, seq: message.seq, text: 'fixed', editedAt: expect.any(String) });
    expect(await cat.log.wait('chat.edited')).toEqual(edited);

    const deleteByOther = await cat.client.chat.delete({ room: 'edits', id: message.id }).catch((e: unknown) => e);
    expect(isSwitchboardError(deleteByOther, 'chat.delete') && deleteByOther.code).toBe('forbidden');
    expect(await ann.client.chat.delete({ room: 'edits', id: message.id })).toEqual({ room: 'edits', id: message.id, seq: message.seq });
    expect(await ben.log.wait('chat.deleted')).toEqual({ room: 'edits', id: message.id, seq: message.seq });
    const gone = await ben.client.chat.edit({ room: 'edits', id: message.id, text: 'again' }).catch((e: unknown) => e);
    expect(isSwitchboardError(gone, 'chat.edit') && gone.code).toBe('not_found');

    const history = await ben.client.chat.history({ room: 'edits' });
    expect(history.messages).toEqual([expect.objectContaining({ id: message.id, seq: message.seq, deleted: true })]);
    expect(history.messages[0]).not.toHaveProperty('text');
  });

  it('returns every message after `since` on join, in seq order', async () => {
    await app.rest.rooms.create({ name: 'catchup' });
    const ann = await connect(a, alice);
    await ann.client.chat.join({ room: 'catchup' });
    for (let i = 1; i <= 5; i++) await ann.client.chat.send({ room: 'catchup', text: `m${i}` });
    const ben = await connect(b, bob);
    const rejoined = await ben.client.chat.join({ room: 'catchup', since: 2 });
    expect(rejoined.lastSeq).toBe(5);
    expect(rejoined.messages?.map((m) => [m.seq, m.text])).toEqual([
      [3, 'm3'],
      [4, 'm4'],
      [5, 'm5'],
    ]);
    expect(rejoined.more).toBe(false);
    const page = await ben.client.chat.history({ room: 'catchup', before: 4, limit: 2 });
    expect(page).toMatchObject({ messages: [{ seq: 2 }, { seq: 3 }], more: true });
  });

  it('pages a long backlog on join with `since`: more is true until the rest is fetched', { timeout: deadline(60_000) }, async () => {
    await app.rest.rooms.create({ name: 'backlog' });
    const total = MAX_CATCH_UP + 20;
    // Over REST, in parallel batches: the socket's rate limit is not what this test is about.
    for (let from = 0; from < total; from += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, total - from) }, (_, i) => app.rest.messages.publish('backlog', { data: { n: from + i } })),
      );
    }
    const ben = await connect(b, bob);
    const first = await ben.client.chat.join({ room: 'backlog', since: 3 });
    expect(first.lastSeq).toBe(total);
    expect(first.more).toBe(true);
    expect(first.messages?.map((m) => m.seq)).toEqual(Array.from({ length: MAX_CATCH_UP }, (_, i) => i + 4));
    const rest = await ben.client.chat.join({ room: 'backlog', since: first.messages?.at(-1)?.seq ?? 0 });
    expect(rest.more).toBe(false);
    expect(rest.messages?.map((m) => m.seq)).toEqual(Array.from({ length: total - MAX_CATCH_UP - 3 }, (_, i) => i + MAX_CATCH_UP + 4));
  });

  it("shows a room created over REST in every client's live room list", async () => {
    const ann = await connect(a, alice);
    const ben = await connect(b, bob);
    const before = await ben.client.rooms.list();
    expect(before.rooms.map((r) => r.name)).not.toContain('fresh');
    await app.rest.rooms.create({ name: 'fresh', title: 'Fresh' });
    for (const c of [ann, ben]) {
      expect(await c.log.wait('rooms.changed', (e) => e.name === 'fresh')).toMatchObject({
        change: 'created',
        room: { name: 'fresh', title: 'Fresh' },
      });
    }
    await app.rest.rooms.update('fresh', { title: 'Renamed' });
    expect(await ben.log.wait('rooms.changed', (e) => e.change === 'updated')).toMatchObject({ room: { title: 'Renamed' } });
    await app.rest.rooms.delete('fresh');
    expect(await ann.log.wait('rooms.changed', (e) => e.change === 'deleted')).toEqual({ change: 'deleted', name: 'fresh' });
    expect((await ann.client.rooms.list()).rooms.map((r) => r.name)).not.toContain('fresh');
  });

  it('delivers notifications to the right user or room members, and nobody else', async () => {
    await app.rest.rooms.create({ name: 'news' });
    const ann = await connect(a, alice);
    const ben = await connect(b, bob);
    const cat = await connect(a, carol);
    await ann.client.chat.join({ room: 'news' });
    await app.rest.users.notify(bob.id, { message: 'for bob', level: 'warning', data: { n: 1 } });
    expect(await ben.log.wait('notification')).toMatchObject({ message: 'for bob', level: 'warning', data: { n: 1 } });
    await app.rest.rooms.notify('news', { message: 'for news', level: 'info' });
    expect(await ann.log.wait('notification', (n) => n.message === 'for news')).toMatchObject({ level: 'info' });
    // A last notification to carol proves the earlier ones had their chance to arrive.
    await app.rest.users.notify(carol.id, { message: 'for carol', level: 'success' });
    await cat.log.wait('notification');
    expect(cat.log.of('notification').map((n) => n.message)).toEqual(['for carol']);
    expect(ben.log.of('notification').map((n) => n.message)).toEqual(['for bob']);
    expect(ann.log.of('notification').map((n) => n.message)).toEqual(['for news']);
  });

  it("makes a token of one app useless on another app's rooms", async () => {
    const other = await createTestApp(a, 'other');
    await other.rest.rooms.create({ name: 'private' });
    await other.rest.messages.publish('private', { data: 'secret' });
    const ben = await connect(b, bob);
    const join = await ben.client.chat.join({ room: 'private' }).catch((e: unknown) => e);
    expect(isSwitchboardError(join, 'chat.join') && join.code).toBe('not_found');
    const history = await ben.client.chat.history({ room: 'private' }).catch((e: unknown) => e);
    expect(isSwitchboardError(history, 'chat.history') && history.code).toBe('not_found');
    expect((await ben.client.rooms.list()).rooms.map((r) => r.name)).not.toContain('private');
  });
});
