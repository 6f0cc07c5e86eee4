/**
 * Room messages: numbered by the room's `seq`, stored when the room keeps history, and announced
 * once to every reader, whether they came from an endpoint socket, a chat user or REST.
 */
import { randomUUID } from 'node:crypto';
import type { MessagePage, RoomMessage } from '@switchboard/protocol';
import type { JsonValue, Message, Room, SenderType } from '../db/schema.ts';
import { appendMessage, getMessageByClientKey, listMessages } from '../db/message.repository.ts';
import { mapUniqueViolation, UniqueViolation } from '../db/errors.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import { findRoom } from './rooms.ts';
import { toRoomMessage } from './wire.ts';
import { takeMessageQuota } from './quotas.ts';

/** Who sends a message. */
export interface SenderInput {
  type: SenderType;
  id?: string;
  identity: string;
  /** A user sender's display name, if they have one. */
  displayName?: string;
}

/**
 * What a message carries; `data` is JSON a generated validator already accepted. `clientId`, the
 * sender's own id for this send, makes it idempotent: a retry is answered with the first message.
 */
export type MessageContent = { data?: unknown; text?: string; clientId?: string };

/** The message an earlier send with this client key produced in the room, if any. */
async function earlierSend(ctx: ServiceContext, room: Room, clientKey: string): Promise<RoomMessage | undefined> {
  if (room.history) {
    const stored = await getMessageByClientKey(ctx.db, room.id, clientKey);
    return stored && toRoomMessage(room.name, stored);
  }
  const remembered = await ctx.sequences.recentSend(room.id, clientKey);
  return remembered === undefined ? undefined : (JSON.parse(remembered) as RoomMessage);
}

/**
 * Numbers, stores (with history) and broadcasts a message; `not_found` if the room is gone. A send
 * whose `clientId` this sender already used in the room (forever with history, for SENT_TTL_MS
 * without) is answered with that message and neither stored nor broadcast again.
 */
export async function publishMessage(ctx: ServiceContext, room: Room, sender: SenderInput, content: MessageContent): Promise<RoomMessage> {
  // Scoped to the sender: another sender's id never answers with someone else's message.
  const clientKey = content.clientId === undefined ? undefined : `${sender.type}:${sender.id ?? sender.identity}:${content.clientId}`;
  if (clientKey !== undefined) {
    const earlier = await earlierSend(ctx, room, clientKey);
    if (earlier) return earlier;
  }
  // After the resend check: a resend of a message already counted is not counted again.
  await takeMessageQuota(ctx, room.app_id);
  // Parsed from JSON and checked by the spec's validator, so it is JSON.
  const data = content.data === undefined ? null : (content.data as JsonValue);
  const fields = {
    sender_type: sender.type,
    sender_id: sender.id ?? null,
    sender_name: sender.identity,
    sender_display_name: sender.displayName ?? null,
    text: content.text ?? null,
    data,
  };
  const append = () =>
    appendMessage(ctx.db, room.id, {
      senderType: sender.type,
      senderId: sender.id ?? null,
      senderName: sender.identity,
      senderDisplayName: fields.sender_display_name,
      data,
      text: fields.text,
      clientKey,
    });
  const message: Message | undefined = room.history
    ? await mapUniqueViolation(append).catch(async (error: unknown) => {
        // The same send, concurrently: the other one stored it first (and this statement undid its seq).
        const first =
          error instanceof UniqueViolation && clientKey !== undefined && (await getMessageByClientKey(ctx.db, room.id, clientKey));
        if (first) return first;
        throw error;
      })
    : {
        id: randomUUID(),
        room_id: room.id,
        seq: await ctx.sequences.next(room),
        created_at: new Date(),
        edited_at: null,
        deleted_at: null,
        client_key: clientKey ?? null,
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
  // Once announced: a live-only send that failed to go out may be sent again.
  if (clientKey !== undefined && !room.history) await ctx.sequences.rememberSend(room.id, clientKey, JSON.stringify(wire));
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
