import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor, JsonValue, Message, SenderType } from './schema.ts';

/** A message to persist; `seq` is assigned by `appendMessage`. */
export interface AppendMessageInput {
  senderType: SenderType;
  senderId?: string | null;
  senderName: string;
  text?: string | null;
  data?: JsonValue | null;
}

/** A page of a room's history; see `listMessages`. */
export interface ListMessagesOptions {
  /** Only messages with a greater seq; the page then starts right after it. */
  after?: number;
  /** Only messages with a smaller seq; without `after`, the page ends right before it. */
  before?: number;
  /** At most this many messages (a positive integer). */
  limit: number;
}

/** New content for a message; omitted fields stay as they are. */
export interface MessagePatch {
  text?: string | null;
  data?: JsonValue | null;
}

function encodeJson(value: JsonValue | null | undefined): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Stores a message under the room's next `seq` and returns it; undefined when the room does not
 * exist. The counter bump row-locks the room until commit, so concurrent appends queue on it and
 * seqs stay gapless: a failed insert rolls the bump back with it.
 */
export async function appendMessage(
  db: Executor,
  roomId: string,
  input: AppendMessageInput,
): Promise<Message | undefined> {
  const append = async (trx: Executor): Promise<Message | undefined> => {
    const seq = await nextSeq(trx, roomId);
    if (seq === undefined) return undefined;
    return trx
      .insertInto('messages')
      .values({
        id: randomUUID(),
        room_id: roomId,
        seq,
        sender_type: input.senderType,
        sender_id: input.senderId ?? null,
        sender_name: input.senderName,
        text: input.text ?? null,
        data: encodeJson(input.data),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  };
  // Inside a caller's transaction the bump and the insert already commit together.
  return db.isTransaction ? append(db) : db.transaction().execute(append);
}

/**
 * A page of a room's messages in ascending seq, deleted ones included (as tombstones, so a
 * client replaying from a seq sees every number). With `after` the page is the oldest matches;
 * otherwise it is the newest ones, for loading history backwards.
 */
export async function listMessages(db: Executor, roomId: string, options: ListMessagesOptions): Promise<Message[]> {
  const { after, before, limit } = options;
  if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let query = db.selectFrom('messages').selectAll().where('room_id', '=', roomId);
  if (after !== undefined) query = query.where('seq', '>', after);
  if (before !== undefined) query = query.where('seq', '<', before);
  if (after !== undefined) return query.orderBy('seq', 'asc').limit(limit).execute();
  const newestFirst = await query.orderBy('seq', 'desc').limit(limit).execute();
  return newestFirst.reverse();
}

/** One message of a room by id. */
export async function getMessage(db: Executor, roomId: string, messageId: string): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('room_id', '=', roomId)
    .where('id', '=', messageId)
    .executeTakeFirst();
}

/** Replaces a message's content and stamps `edited_at`; undefined when missing or deleted. */
export async function editMessage(
  db: Executor,
  roomId: string,
  messageId: string,
  patch: MessagePatch,
): Promise<Message | undefined> {
  return db
    .updateTable('messages')
    .set({
      edited_at: sql<Date>`now()`,
      ...(patch.text === undefined ? {} : { text: patch.text }),
      ...(patch.data === undefined ? {} : { data: encodeJson(patch.data) }),
    })
    .where('room_id', '=', roomId)
    .where('id', '=', messageId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marks a message deleted and drops its content, keeping the row as a tombstone for its seq.
 * Returns the tombstone; undefined when missing or already deleted.
 */
export async function softDeleteMessage(
  db: Executor,
  roomId: string,
  messageId: string,
): Promise<Message | undefined> {
  return db
    .updateTable('messages')
    .set({ deleted_at: sql<Date>`now()`, text: null, data: null })
    .where('room_id', '=', roomId)
    .where('id', '=', messageId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Hands out the room's next `seq` without storing a message (rooms without history still number
 * what they broadcast, so readers can tell order and gaps). Undefined when the room is gone.
 */
export async function nextSeq(db: Executor, roomId: string): Promise<number | undefined> {
  const room = await db
    .updateTable('rooms')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
    .where('id', '=', roomId)
    .returning('last_seq')
    .executeTakeFirst();
  return room?.last_seq;
}
