import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { mapUniqueViolation } from './errors.ts';
import type { Executor, Room } from './schema.ts';

/** What a room is created with; omitted flags take the column defaults. */
export interface CreateRoomInput {
  appId: string;
  name: string;
  title?: string | null;
  staffOnly?: boolean;
  history?: boolean;
}

/** Fields of a room that can change; omitted ones stay as they are. */
export interface RoomPatch {
  name?: string;
  title?: string | null;
  staffOnly?: boolean;
  history?: boolean;
}

/** Creates a room; throws `UniqueViolation` (`rooms_app_id_name_key`) when the app already has that name. */
export async function createRoom(db: Executor, input: CreateRoomInput): Promise<Room> {
  return mapUniqueViolation(() =>
    db
      .insertInto('rooms')
      .values({
        id: randomUUID(),
        app_id: input.appId,
        name: input.name,
        title: input.title ?? null,
        ...(input.staffOnly === undefined ? {} : { staff_only: input.staffOnly }),
        ...(input.history === undefined ? {} : { history: input.history }),
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/** An app's rooms by name. */
export async function listRooms(db: Executor, appId: string): Promise<Room[]> {
  return db.selectFrom('rooms').selectAll().where('app_id', '=', appId).orderBy('name').execute();
}

/** One of an app's rooms by name. */
export async function getRoom(db: Executor, appId: string, name: string): Promise<Room | undefined> {
  return db.selectFrom('rooms').selectAll().where('app_id', '=', appId).where('name', '=', name).executeTakeFirst();
}

/** A room by id, for callers that hold a reference (an endpoint, a message). */
export async function getRoomById(db: Executor, id: string): Promise<Room | undefined> {
  return db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Changes a room and returns it; undefined when missing; `UniqueViolation` when renamed onto a taken name. */
export async function updateRoom(db: Executor, appId: string, name: string, patch: RoomPatch): Promise<Room | undefined> {
  return mapUniqueViolation(() =>
    db
      .updateTable('rooms')
      .set({
        updated_at: sql<Date>`now()`,
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.title === undefined ? {} : { title: patch.title }),
        ...(patch.staffOnly === undefined ? {} : { staff_only: patch.staffOnly }),
        ...(patch.history === undefined ? {} : { history: patch.history }),
      })
      .where('app_id', '=', appId)
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst(),
  );
}

/** Deletes a room with its endpoints and messages; false when there was no such room. */
export async function deleteRoom(db: Executor, appId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('rooms').where('app_id', '=', appId).where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Reserves `count` numbers of a room's seq in one write and returns the new top (the last
 * reserved number), or undefined when the room is gone.
 */
export async function reserveSeqBlock(db: Executor, roomId: string, count: number): Promise<number | undefined> {
  const row = await db
    .updateTable('rooms')
    .set((eb) => ({ last_seq: eb('last_seq', '+', count) }))
    .where('id', '=', roomId)
    .returning('last_seq')
    .executeTakeFirst();
  return row?.last_seq;
}

/** Records the last seq actually used, when the stored value is still `expected` (the reserved top). */
export async function releaseSeqBlock(db: Executor, roomId: string, used: number, expected: number): Promise<void> {
  await db.updateTable('rooms').set({ last_seq: used }).where('id', '=', roomId).where('last_seq', '=', expected).execute();
}

/** Raises a room's stored seq to at least `seq`. */
export async function raiseSeq(db: Executor, roomId: string, seq: number): Promise<void> {
  await db.updateTable('rooms').set({ last_seq: seq }).where('id', '=', roomId).where('last_seq', '<', seq).execute();
}

/**
 * A room's stored seq read now (not from a cache), and whether it is a reserved ceiling rather
 * than the exact last number; undefined when the room is gone.
 */
export async function readSeq(db: Executor, roomId: string): Promise<{ seq: number; reserved: boolean } | undefined> {
  const row = await db.selectFrom('rooms').select(['last_seq', 'seq_reserved']).where('id', '=', roomId).executeTakeFirst();
  return row && { seq: row.last_seq, reserved: row.seq_reserved };
}

/**
 * Raises a room's stored seq to at least `seq`, as a ceiling reserved ahead of a counter kept
 * outside the database, and returns the stored value, or undefined when the room is gone.
 */
export async function raiseSeqTo(db: Executor, roomId: string, seq: number): Promise<number | undefined> {
  const row = await db
    .updateTable('rooms')
    .set((eb) => ({ last_seq: eb.fn('greatest', ['last_seq', eb.val(seq)]), seq_reserved: true }))
    .where('id', '=', roomId)
    .returning('last_seq')
    .executeTakeFirst();
  return row?.last_seq;
}

/**
 * Sets a room's stored seq to exactly `seq` (the counter kept outside the database is handing over
 * to it); without `seq` (the counter was lost), the stored ceiling becomes the exact value, since
 * numbering now continues from it.
 */
export async function setSeq(db: Executor, roomId: string, seq?: number): Promise<void> {
  await db
    .updateTable('rooms')
    .set(seq === undefined ? { seq_reserved: false } : { last_seq: seq, seq_reserved: false })
    .where('id', '=', roomId)
    .execute();
}
