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
 * exist. One statement bumps the counter and inserts with it: it runs atomically (a failed insert
 * undoes the bump, so seqs stay gapless), concurrent appends queue on the room's row lock, and
 * the database is asked once instead of four times (begin, update, insert, commit).
 */
export async function appendMessage(db: Executor, roomId: string, input: AppendMessageInput): Promise<Message | undefined> {
  return db
    .with('bumped', (qb) =>
      qb
        .updateTable('rooms')
        .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
        .where('id', '=', roomId)
        .returning('last_seq'),
    )
    .insertInto('messages')
    .columns(['id', 'room_id', 'seq', 'sender_type', 'sender_id', 'sender_name', 'text', 'data'])
    .expression((eb) =>
      eb
        .selectFrom('bumped')
        .select([
          eb.val(randomUUID()).as('id'),
          eb.val(roomId).as('room_id'),
          'bumped.last_seq',
          eb.val(input.senderType).as('sender_type'),
          eb.val(input.senderId ?? null).as('sender_id'),
          eb.val(input.senderName).as('sender_name'),
          eb.val(input.text ?? null).as('text'),
          eb.val(encodeJson(input.data)).as('data'),
        ]),
    )
    .returningAll()
    .executeTakeFirst();
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
  return db.selectFrom('messages').selectAll().where('room_id', '=', roomId).where('id', '=', messageId).executeTakeFirst();
}

/** Replaces a message's content and stamps `edited_at`; undefined when missing or deleted. */
export async function editMessage(db: Executor, roomId: string, messageId: string, patch: MessagePatch): Promise<Message | undefined> {
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
export async function softDeleteMessage(db: Executor, roomId: string, messageId: string): Promise<Message | undefined> {
  return db
    .updateTable('messages')
    .set({ deleted_at: sql<Date>`now()`, text: null, data: null })
    .where('room_id', '=', roomId)
    .where('id', '=', messageId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
