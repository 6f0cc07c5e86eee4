/**
 * What services announce after a change is committed. Services know nothing of frames or topics;
 * the socket layer implements this port (ws/broadcasts.ts) and turns each event into frames.
 */
import type { Message, Room } from '../db/schema.ts';

/** Domain events the socket layer delivers. Each resolves once handed to the channel layer. */
export interface DomainEvents {
  messagePublished(room: Room, message: Message): Promise<void>;
  roomDeleted(room: Room): Promise<void>;
  endpointRevoked(endpointId: string): Promise<void>;
  appDeleted(appId: string): Promise<void>;
}
