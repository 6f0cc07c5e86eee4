/**
 * What services announce after a change is committed. Services know nothing of frames or topics;
 * the socket layer implements this port (ws/broadcasts.ts) and turns each event into frames.
 */
import type { NotificationEvent, UserInfo } from '@switchboard/protocol';
import type { Message, Room } from '../db/schema.ts';

/** Enough of a room to address its members. */
export type RoomRef = Pick<Room, 'id' | 'name'>;

/** Domain events the socket layer delivers. Each resolves once handed to the channel layer. */
export interface DomainEvents {
  messagePublished(room: Room, message: Message): Promise<void>;
  messageEdited(room: Room, message: Message): Promise<void>;
  messageDeleted(room: Room, message: Message): Promise<void>;
  roomChanged(appId: string, change: 'created' | 'updated' | 'deleted', room: Room): Promise<void>;
  /** Endpoint sockets of the room are told and closed (after `roomChanged`). */
  roomDeleted(room: Room): Promise<void>;
  endpointRevoked(endpointId: string): Promise<void>;
  appDeleted(appId: string): Promise<void>;
  userDeleted(userId: string): Promise<void>;
  userJoined(room: RoomRef, user: UserInfo): Promise<void>;
  userLeft(room: RoomRef, user: UserInfo): Promise<void>;
  notifyUser(userId: string, notification: NotificationEvent): Promise<void>;
  notifyRoom(room: Room, notification: NotificationEvent): Promise<void>;
}
