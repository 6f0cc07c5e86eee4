/**
 * What services announce after a change is committed, already in wire shapes. Services know
 * nothing of frames or topics; delivery/broadcasts.ts implements this port and turns each event
 * into frames on the topics whose members must see them.
 */
import type {
  JobFinishedEvent,
  JobProgressEvent,
  NotificationEvent,
  RoomMessage,
  RoomsChangedEvent,
  UserInfo,
} from '@switchboard/protocol';

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
  /** Every node drops its cached row of the room (its settings changed); nothing reaches sockets. */
  roomSettingsChanged(roomId: string): Promise<void>;
  /** Endpoint sockets of the room are told and closed (after `roomChanged`). */
  roomDeleted(room: RoomRef): Promise<void>;
  endpointRevoked(endpointId: string): Promise<void>;
  appDeleted(appId: string): Promise<void>;
  /** Sockets an API key opened (workers) close, on every node. */
  apiKeyRevoked(keyId: string): Promise<void>;
  userDeleted(userId: string): Promise<void>;
  /** The user's tokens were revoked: every node drops what it cached and closes their sockets. */
  userTokensRevoked(userId: string): Promise<void>;
  /**
   * The user's staff flag or display name changed: every node drops the cached row, and the
   * user's open sockets take the new values at once (leaving staff-only rooms when demoted).
   */
  userUpdated(user: UserInfo): Promise<void>;
  userJoined(room: RoomRef, user: UserInfo): Promise<void>;
  userLeft(room: RoomRef, user: UserInfo): Promise<void>;
  /** A member of the room changed (display name, staff flag): `chat.member` to the room's chat members. */
  memberChanged(room: RoomRef, user: UserInfo): Promise<void>;
  /** The room became staff-only: every node removes its non-staff chat members (after `roomChanged`). */
  roomRestricted(room: RoomRef): Promise<void>;
  notifyUser(userId: string, notification: NotificationEvent): Promise<void>;
  notifyRoom(room: RoomRef, notification: NotificationEvent): Promise<void>;
  /** Every socket of the user hears a job's progress and its end. */
  jobProgress(userId: string, event: JobProgressEvent): Promise<void>;
  jobFinished(userId: string, event: JobFinishedEvent): Promise<void>;
}
