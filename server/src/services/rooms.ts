/**
 * An app's rooms: names unique per app, everything scoped by the app that asks. Every reader gets
 * the room's live seq here, once: a room without history numbers its messages outside the row.
 */
import type { NotificationCreate, Room as WireRoom, RoomCreate, RoomUpdate, UserInfo } from '@switchboard/protocol';
import type { Room } from '../db/schema.ts';
import * as repo from '../db/room.repository.ts';
import { UniqueViolation } from '../db/errors.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import type { ServiceContext } from './context.ts';
import { toRoom } from './wire.ts';
import { distinctUsers, roomPresenceKey } from './room-members.ts';
import { checkCountQuota } from './quotas.ts';

/** One room of the app as stored, or `not_found`; for the services that act on it. */
export async function findRoom(ctx: Pick<ServiceContext, 'db'>, appId: string, name: string): Promise<Room> {
  const room = await repo.getRoom(ctx.db, appId, name);
  if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
  return room;
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

/** Rooms as REST and sockets see them. */
export interface RoomService {
  /** Creates a room; `conflict` when the app already has one of that name. */
  create(appId: string, input: RoomCreate): Promise<WireRoom>;
  /** One room of the app, or `not_found`. */
  get(appId: string, name: string): Promise<WireRoom>;
  /** The app's rooms, by name. */
  list(appId: string): Promise<WireRoom[]>;
  /** Changes a room's settings; the app's sockets hear the room as the answer shows it. */
  update(appId: string, name: string, changes: RoomUpdate): Promise<WireRoom>;
  /** Deletes a room (its endpoints and messages go with it), then tells and closes its sockets. */
  delete(appId: string, name: string): Promise<void>;
  /** The users in the room now, on every node, once each. */
  members(appId: string, name: string): Promise<UserInfo[]>;
  /** Sends a notification to the room's chat members. */
  notify(appId: string, name: string, notification: NotificationCreate): Promise<void>;
}

/** Creates the room service. */
export function createRoomService(ctx: ServiceContext): RoomService {
  const { db, events, sequences, presence } = ctx;
  const live = async (room: Room) => toRoom(await withLiveSeq(sequences, room));
  return {
    async members(appId, name) {
      const room = await findRoom(ctx, appId, name);
      return distinctUsers(await presence.members(roomPresenceKey(room.id)));
    },
    async create(appId, input) {
      await checkCountQuota(ctx, 'rooms', appId);
      let room: Room;
      try {
        room = await repo.createRoom(db, { appId, ...input });
      } catch (err) {
        if (err instanceof UniqueViolation) throw new SwitchboardError('conflict', `A room named ${input.name} already exists.`);
        throw err;
      }
      const wire = toRoom(room);
      await events.roomChanged(appId, { change: 'created', name: room.name, room: wire });
      return wire;
    },
    get: async (appId, name) => live(await findRoom(ctx, appId, name)),
    list: async (appId) => Promise.all((await repo.listRooms(db, appId)).map(live)),
    async update(appId, name, changes) {
      const before = changes.history === true || changes.staffOnly === true ? await repo.getRoom(db, appId, name) : undefined;
      // The stored counter must be current before stored messages continue it.
      if (changes.history === true && before && !before.history) await sequences.settle(before.id);
      const room = await repo.updateRoom(db, appId, name, changes);
      if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
      ctx.roomCache.forget(room.id);
      // Other nodes send from their cached row: before anyone hears of the change, they forget it.
      await events.roomSettingsChanged(room.id);
      const wire = await live(room);
      await events.roomChanged(appId, { change: 'updated', name: room.name, room: wire });
      // Entering is checked at join; members already in the room are removed now (every node, its own).
      if (changes.staffOnly === true && before && !before.staff_only) await events.roomRestricted(room);
      return wire;
    },
    async delete(appId, name) {
      const room = await findRoom(ctx, appId, name);
      ctx.roomCache.forget(room.id);
      if (!(await repo.deleteRoom(db, appId, name))) throw new SwitchboardError('not_found', `No room named ${name}.`);
      await events.roomChanged(appId, { change: 'deleted', name: room.name });
      await events.roomDeleted(room);
    },
    async notify(appId, name, notification) {
      const room = await findRoom(ctx, appId, name);
      await events.notifyRoom(room, { ...notification, at: new Date().toISOString() });
    },
  };
}
