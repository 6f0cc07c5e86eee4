/**
 * Room messages: numbered by the room's `seq`, stored when the room keeps history, and announced
 * once to every reader, whether they came from an endpoint socket, a chat user or REST.
 */
import { randomUUID } from 'node:crypto';
import type { MessagePage, RoomMessage } from '@switchboard/protocol';
import type { JsonValue, Message, Room, SenderType } from '../db/schema.ts';
import { appendMessage, listMessages } from '../db/message.repository.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import { findRoom } from './rooms.ts';
import { toRoomMessage } from './wire.ts';

/** Who sends a message. */
export interface SenderInput {
  type: SenderType;
  id?: string;
  identity: string;
}

/** What a message carries; `data` is JSON a generated validator already accepted. */
export type MessageContent = { data?: unknown; text?: string };

/** Numbers, stores (with history) and broadcasts a message; `not_found` if the room is gone. */
export async function publishMessage(ctx: ServiceContext, room: Room, sender: SenderInput, content: MessageContent): Promise<RoomMessage> {
  // Parsed from JSON and checked by the spec's validator, so it is JSON.
  const data = content.data === undefined ? null : (content.data as JsonValue);
  const fields = { sender_type: sender.type, sender_id: sender.id ?? null, sender_name: sender.identity, text: content.text ?? null, data };
  const message: Message | undefined = room.history
    ? await appendMessage(ctx.db, room.id, {
        senderType: sender.type,
        senderId: sender.id ?? null,
        senderName: sender.identity,
        data,
        text: fields.text,
      })
    : {
        id: randomUUID(),
        room_id: room.id,
        seq: await ctx.sequences.next(room),
        created_at: new Date(),
        edited_at: null,
        deleted_at: null,
        ...fields,
      };
  if (!message) throw new SwitchboardError('not_found', `The room ${room.name} no longer exists.`);
  const wire = toRoomMessage(room.name, message);
  try {
    await ctx.events.messagePublished(room, wire);
  } catch (error) {
    // A live-only message that could not be announced is lost: the sender must hear so.
    if (!room.history) throw error;
    // A stored one is sent: readers miss it live but recover it from history (their SDK rejoins
    // on the seq gap, and a node whose subscriptions come back closes its sockets). Answering an
    // error here would make the writer send it again, twice in the history.
    ctx.log.warn(
      { err: error, room: room.id, seq: wire.seq },
      'a stored message could not be announced live; readers recover it from history',
    );
  }
  return wire;
}

/** Publishing and paging room messages. */
export interface MessageService {
  /** Publishes into a room of the app by name (REST). */
  publish(appId: string, roomName: string, sender: SenderInput, content: MessageContent): Promise<RoomMessage>;
  /** Publishes into a room known by id (from a socket's endpoint), without a database read when cached. */
  publishToRoom(roomId: string, sender: SenderInput, content: MessageContent): Promise<RoomMessage>;
  /** A page of stored history after `after` (ascending seq); `next` is set when more may follow. */
  page(appId: string, roomName: string, after: number, limit: number): Promise<MessagePage>;
}

/** Creates the message service. */
export function createMessageService(ctx: ServiceContext): MessageService {
  return {
    publish: async (appId, roomName, sender, content) => publishMessage(ctx, await findRoom(ctx, appId, roomName), sender, content),
    async publishToRoom(roomId, sender, content) {
      const room = await ctx.roomCache.byId(roomId);
      if (!room) throw new SwitchboardError('not_found', 'The room no longer exists.');
      return publishMessage(ctx, room, sender, content);
    },
    async page(appId, roomName, after, limit) {
      const room = await findRoom(ctx, appId, roomName);
      const messages = await listMessages(ctx.db, room.id, { after, limit });
      const items = messages.map((m) => toRoomMessage(room.name, m));
      const last = messages.at(-1);
      return messages.length === limit && last ? { items, next: last.seq } : { items };
    },
  };
}
