/**
 * Chat frames the spec accepts, for scripting the fake server, and a log of what the client
 * delivers to the app.
 */
import { expect } from 'vitest';
import type { ChatJoinOutput, RoomMessage, SwitchboardClient } from '@switchboard/sdk';
import { nextEvent } from './client-helpers.ts';
import type { ClientFrame, FakeConnection } from './fake-server.ts';
import { fakeUser } from './fake-server.ts';

const at = '2025-01-01T00:00:00.000Z';

/** A stored chat message of `room` at `seq`; a tombstone with `deleted`. */
export function roomMessage(room: string, seq: number, deleted = false): RoomMessage {
  const base = {
    id: `m-${room}-${seq}`,
    room,
    seq,
    sender: { type: 'user' as const, id: fakeUser.id, identity: fakeUser.username },
    createdAt: at,
  };
  return deleted ? { ...base, deleted: true } : { ...base, text: `message ${seq}` };
}

/** A `chat.join` answer; `messages` are seqs, negative ones for tombstones. */
export function joinAnswer(room: string, lastSeq: number, extra: { messages?: number[]; more?: boolean } = {}): ChatJoinOutput {
  const answer: ChatJoinOutput = {
    room: { name: room, title: null, staffOnly: false, history: true, lastSeq, createdAt: at, updatedAt: at },
    members: [fakeUser],
    lastSeq,
  };
  if (extra.messages) answer.messages = extra.messages.map((seq) => roomMessage(room, Math.abs(seq), seq < 0));
  if (extra.more !== undefined) answer.more = extra.more;
  return answer;
}

/** Sends live `chat.message` events. */
export function sendMessages(conn: FakeConnection, room: string, ...seqs: number[]): void {
  for (const seq of seqs) conn.send({ action: 'chat.message', payload: roomMessage(room, seq) });
}

/** Takes the next frame, checks it is a `chat.join` of `room` with `since` (absent when undefined). */
export async function expectJoin(conn: FakeConnection, room: string, since?: number): Promise<ClientFrame> {
  const frame = await conn.nextFrame();
  expect(frame).toEqual({ action: 'chat.join', id: expect.any(String), payload: since === undefined ? { room } : { room, since } });
  return frame;
}

/** Joins `room` through the client, answering with `lastSeq`. */
export async function join(client: SwitchboardClient, conn: FakeConnection, room: string, lastSeq: number): Promise<void> {
  const joined = client.chat.join({ room });
  conn.reply(await expectJoin(conn, room), joinAnswer(room, lastSeq));
  await joined;
}

/** What the app was given, in order: `room#seq` per message (`†` for tombstones) and `gap room from-to`. */
export function recordChat(client: SwitchboardClient): string[] {
  const log: string[] = [];
  client.chat.on('message', (m) => log.push(`${m.room}#${m.seq}${m.deleted ? '†' : ''}`));
  client.chat.on('gap', (gap) => log.push(`gap ${gap.room} ${gap.from}-${gap.to}`));
  return log;
}

/** Resolves when the client delivers the message `room#seq` (listen before causing it). */
export function delivered(client: SwitchboardClient, room: string, seq: number): Promise<unknown> {
  return nextEvent(client, 'chat.message', (m) => m.room === room && m.seq === seq);
}
