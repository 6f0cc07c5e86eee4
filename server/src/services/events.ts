/**
 * What services announce after a change is committed, already in wire shapes. Services know
 * nothing of frames or topics; delivery/broadcasts.ts implements this port and turns each event
 * into frames on the topics whose members must see them.
 */
import type { NotificationEvent, RoomMessage, RoomsChangedEvent, UserInfo } from '@switchboard/protocol';

/** Enough of a room to address its members. */
export interface RoomRef {
  readonly id: string;
  readonly name: string;
}

/** Domain events the delivery layer carries. Each resolves once handed to the channel layer. */
export interface DomainEvents {
  messagePublished(room: RoomRef, message: RoomMessage): Promise<void>;
  messageEdited(room: RoomRef, message: RoomMessage): Promise<void>;
  messageDeleted(room: RoomRef, message: { id: string; seq: number }): Promise<void>;
  /** Every user socket of the app hears it (`rooms.changed`). */
  roomChanged(appId: string, change: RoomsChangedEvent): Promise<void>;
  /** Endpoint sockets of the room are told and closed (after `roomChanged`). */
  roomDeleted(room: RoomRef): Promise<void>;
  endpointRevoked(endpointId: string): Promise<void>;
  appDeleted(appId: string): Promise<void>;
  userDeleted(userId: string): Promise<void>;
  userJoined(room: RoomRef, user: UserInfo): Promise<void>;
  userLeft(room: RoomRef, user: UserInfo): Promise<void>;
  notifyUser(userId: string, notification: NotificationEvent): Promise<void>;
  notifyRoom(room: RoomRef, notification: NotificationEvent): Promise<void>;
}
