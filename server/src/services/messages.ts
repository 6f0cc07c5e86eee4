/**
 * Room messages: numbered by the room's `seq`, stored when the room keeps history, and announced
 * once to every reader, whether they came from an endpoint socket, a chat user or REST.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, JsonValue, Message, Room, SenderType } from '../db/schema.ts';
import { appendMessage, listMessages, nextSeq } from '../db/message.repository.ts';
import { getRoomById } from '../db/room.repository.ts';
import { SwitchboardError } from '../errors.ts';
import type { DomainEvents } from './events.ts';

/** Who sends a message. */
export interface SenderInput {
  type: SenderType;
  id?: string;
  identity: string;
}

/** Numbers, stores (with history) and broadcasts a message; `not_found` if the room is gone. */
export async function publishMessage(
  db: Kysely<Database>,
  events: DomainEvents,
  room: Room,
  sender: SenderInput,
  content: { data?: JsonValue; text?: string },
): Promise<Message> {
  const message = room.history ? await appendMessage(db, room.id, {
    senderType: sender.type,
    senderId: sender.id ?? null,
    senderName: sender.identity,
    data: content.data ?? null,
    text: content.text ?? null,
  }) : await ephemeral(db, room, sender, content);
  if (!message) throw new SwitchboardError('not_found', `The room ${room.name} no longer exists.`);
  await events.messagePublished(room, message);
  return message;
}

async function ephemeral(db: Kysely<Database>, room: Room, sender: SenderInput, content: { data?: JsonValue; text?: string }): Promise<Message | undefined> {
  const seq = await nextSeq(db, room.id);
  if (seq === undefined) return undefined;
  return {
    id: randomUUID(),
    room_id: room.id,
    seq,
    sender_type: sender.type,
    sender_id: sender.id ?? null,
    sender_name: sender.identity,
    text: content.text ?? null,
    data: content.data ?? null,
    created_at: new Date(),
    edited_at: null,
    deleted_at: null,
  };
}

/** Publishes into a room known by id (from a socket's principal). */
export async function publishToRoomId(
  db: Kysely<Database>,
  events: DomainEvents,
  roomId: string,
  sender: SenderInput,
  content: { data?: JsonValue; text?: string },
): Promise<{ room: Room; message: Message }> {
  const room = await getRoomById(db, roomId);
  if (!room) throw new SwitchboardError('not_found', 'The room no longer exists.');
  return { room, message: await publishMessage(db, events, room, sender, content) };
}

/** A page of stored history after `after` (ascending seq); `next` is set when more may follow. */
export async function pageHistory(db: Kysely<Database>, room: Room, after: number, limit: number) {
  const messages = await listMessages(db, room.id, { after, limit });
  const last = messages.at(-1);
  return { messages, next: messages.length === limit && last ? last.seq : undefined };
}
