import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import type { Executor, JsonValue, Message, SenderType } from './schema.ts';

/** A message to persist; `seq` is assigned by `appendMessage`. */
export interface AppendMessageInput {
  senderType: SenderType;
  senderId?: string | null;
  senderName: string;
  /** A user sender's display name, if they have one. */
  senderDisplayName?: string | null;
  text?: string | null;
  data?: JsonValue | null;
  /** The sender's client id, scoped to the sender (see `getMessageByClientKey`); unique per room. */
  clientKey?: string | null;
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
 * the database is asked once instead of four times (begin, update, insert, commit). It is the
 * history path's statement per message, so it is compiled once (`APPEND_SQL`) rather than built
 * through Kysely's builder and compiler each time (10–12 % of CPU when profiled).
 */
export async function appendMessage(db: Executor, roomId: string, input: AppendMessageInput): Promise<Message | undefined> {
  const parameters = [
    roomId,
    randomUUID(),
    input.senderType,
    input.senderId ?? null,
    input.senderName,
    input.text ?? null,
    encodeJson(input.data),
    input.clientKey ?? null,
    input.senderDisplayName ?? null,
  ];
  const { rows } = await db.executeQuery<Message>(CompiledQuery.raw(APPEND_SQL, parameters));
  return rows[0];
}

/** What Kysely compiles `appendMessage`'s statement to (unqualified: the connection's search_path names the schema). */
export const APPEND_SQL =
  'with "bumped" as (update "rooms" set "last_seq" = "last_seq" + 1 where "id" = $1 returning "last_seq") ' +
  'insert into "messages" ("id", "room_id", "seq", "sender_type", "sender_id", "sender_name", "sender_display_name", "text", "data", "client_key") ' +
  'select $2 as "id", $1 as "room_id", "bumped"."last_seq", $3 as "sender_type", $4 as "sender_id", $5 as "sender_name", $9 as "sender_display_name", ' +
  '$6 as "text", $7 as "data", $8 as "client_key" from "bumped" returning *';

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

/** The message of a room stored with this client key (a send being retried), if any. */
export async function getMessageByClientKey(db: Executor, roomId: string, clientKey: string): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('room_id', '=', roomId).where('client_key', '=', clientKey).executeTakeFirst();
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
