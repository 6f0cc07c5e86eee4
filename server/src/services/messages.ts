/**
 * Room messages: numbered by the room's `seq`, stored when the room keeps history, and announced
 * once to every reader, whether they came from an endpoint socket, a chat user or REST.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, JsonValue, Message, Room, SenderType } from '../db/schema.ts';
import { appendMessage, listMessages } from '../db/message.repository.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import type { DomainEvents } from './events.ts';
import type { RoomCache } from './room-cache.ts';

/** What publishing needs. */
export interface MessageDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  sequences: SequenceSource;
  rooms: RoomCache;
}

/** Who sends a message. */
export interface SenderInput {
  type: SenderType;
  id?: string;
  identity: string;
}

/** What a message carries. */
export type MessageContent = { data?: JsonValue; text?: string };

/** Numbers, stores (with history) and broadcasts a message; `not_found` if the room is gone. */
export async function publishMessage(deps: MessageDeps, room: Room, sender: SenderInput, content: MessageContent): Promise<Message> {
  const fields = {
    sender_type: sender.type,
    sender_id: sender.id ?? null,
    sender_name: sender.identity,
    text: content.text ?? null,
    data: content.data ?? null,
  };
  const message = room.history
    ? await appendMessage(deps.db, room.id, { senderType: sender.type, senderId: sender.id ?? null, senderName: sender.identity, data: fields.data, text: fields.text })
    : { id: randomUUID(), room_id: room.id, seq: await deps.sequences.next(room), created_at: new Date(), edited_at: null, deleted_at: null, ...fields };
  if (!message) throw new SwitchboardError('not_found', `The room ${room.name} no longer exists.`);
  await deps.events.messagePublished(room, message);
  return message;
}

/** Publishes into a room known by id (from a socket's principal), without a database read when cached. */
export async function publishToRoomId(deps: MessageDeps, roomId: string, sender: SenderInput, content: MessageContent) {
  const room = await deps.rooms.byId(roomId);
  if (!room) throw new SwitchboardError('not_found', 'The room no longer exists.');
  return { room, message: await publishMessage(deps, room, sender, content) };
}

/**
 * The room with its live `last_seq`: for a room without history a counter outside the row is
 * authoritative while it exists (the row may hold a reserved block's top instead).
 */
export async function withLiveSeq(sequences: SequenceSource, room: Room): Promise<Room> {
  if (room.history) return room;
  const current = await sequences.current(room.id);
  return current === undefined ? room : { ...room, last_seq: current };
}

/** A page of stored history after `after` (ascending seq); `next` is set when more may follow. */
export async function pageHistory(db: Kysely<Database>, room: Room, after: number, limit: number) {
  const messages = await listMessages(db, room.id, { after, limit });
  const last = messages.at(-1);
  return { messages, next: messages.length === limit && last ? last.seq : undefined };
}
