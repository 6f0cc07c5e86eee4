/** An app's rooms: names unique per app, everything scoped by the app that asks. */
import type { Kysely } from 'kysely';
import type { Database, Room } from '../db/schema.ts';
import * as repo from '../db/room.repository.ts';
import { UniqueViolation } from '../db/errors.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { DomainEvents } from './events.ts';
import type { RoomCache } from './room-cache.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';

/** What changing or deleting a room needs besides the database. */
export interface RoomDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  sequences: SequenceSource;
  rooms: RoomCache;
}

/** What a room is created with. */
export interface RoomInput {
  name: string;
  title?: string;
  staffOnly?: boolean;
  history?: boolean;
}

/** What may change on a room. */
export interface RoomChanges {
  title?: string | null;
  staffOnly?: boolean;
  history?: boolean;
}

/** Creates a room; `conflict` when the app already has one of that name. */
export async function createRoom(db: Kysely<Database>, events: DomainEvents, appId: string, input: RoomInput): Promise<Room> {
  let room: Room;
  try {
    room = await repo.createRoom(db, { appId, ...input });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new SwitchboardError('conflict', `A room named ${input.name} already exists.`);
    throw err;
  }
  await events.roomChanged(appId, 'created', room);
  return room;
}

/** One room of the app, or `not_found`. */
export async function getRoom(db: Kysely<Database>, appId: string, name: string): Promise<Room> {
  const room = await repo.getRoom(db, appId, name);
  if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
  return room;
}

/** The app's rooms, by name. */
export function listRooms(db: Kysely<Database>, appId: string): Promise<Room[]> {
  return repo.listRooms(db, appId);
}

/** Changes a room's settings. */
export async function updateRoom(deps: RoomDeps, appId: string, name: string, changes: RoomChanges): Promise<Room> {
  const { db, events } = deps;
  if (changes.history === true) {
    // The stored counter must be current before stored messages continue it.
    const before = await repo.getRoom(db, appId, name);
    if (before && !before.history) await deps.sequences.settle(before.id);
  }
  const room = await repo.updateRoom(db, appId, name, changes);
  if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
  deps.rooms.forget(room.id);
  await events.roomChanged(appId, 'updated', room);
  return room;
}

/** Deletes a room (its endpoints and messages go with it), then tells and closes its sockets. */
export async function deleteRoom(deps: RoomDeps, appId: string, name: string): Promise<void> {
  const { db, events } = deps;
  const room = await getRoom(db, appId, name);
  deps.rooms.forget(room.id);
  if (!(await repo.deleteRoom(db, appId, name))) throw new SwitchboardError('not_found', `No room named ${name}.`);
  await events.roomChanged(appId, 'deleted', room);
  await events.roomDeleted(room);
}
