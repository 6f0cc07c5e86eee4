/** An app's rooms: names unique per app, everything scoped by the app that asks. */
import type { Kysely } from 'kysely';
import type { Database, Room } from '../db/schema.ts';
import * as repo from '../db/room.repository.ts';
import { UniqueViolation } from '../db/errors.ts';
import { SwitchboardError } from '../errors.ts';
import type { DomainEvents } from './events.ts';

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
export async function updateRoom(db: Kysely<Database>, events: DomainEvents, appId: string, name: string, changes: RoomChanges): Promise<Room> {
  const room = await repo.updateRoom(db, appId, name, changes);
  if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
  await events.roomChanged(appId, 'updated', room);
  return room;
}

/** Deletes a room (its endpoints and messages go with it), then tells and closes its sockets. */
export async function deleteRoom(db: Kysely<Database>, events: DomainEvents, appId: string, name: string): Promise<void> {
  const room = await getRoom(db, appId, name);
  if (!(await repo.deleteRoom(db, appId, name))) throw new SwitchboardError('not_found', `No room named ${name}.`);
  await events.roomChanged(appId, 'deleted', room);
  await events.roomDeleted(room);
}
