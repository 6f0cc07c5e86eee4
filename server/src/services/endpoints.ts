/** Endpoints: secret socket codes bound to one room with a permission. */
import type { Kysely } from 'kysely';
import type { Database, Endpoint, EndpointPermissions, Room } from '../db/schema.ts';
import * as repo from '../db/endpoint.repository.ts';
import { hashSecret, randomSecret } from '../auth/secrets.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { PresenceStore } from '../presence/index.ts';
import type { DomainEvents } from './events.ts';
import { getRoom } from './rooms.ts';

/** The presence key under which an endpoint's live sockets are counted. */
export const endpointPresenceKey = (endpointId: string) => `endpoint:${endpointId}`;

/** Creates an endpoint of a room; the code is returned in clear this once. */
export async function createEndpoint(
  db: Kysely<Database>,
  appId: string,
  roomName: string,
  input: { permissions: EndpointPermissions; identity?: string },
): Promise<{ endpoint: Endpoint; room: Room; code: string }> {
  const room = await getRoom(db, appId, roomName);
  const code = randomSecret();
  const endpoint = await repo.createEndpoint(db, {
    appId,
    roomId: room.id,
    codeHash: hashSecret(code),
    permissions: input.permissions,
    identity: input.identity ?? 'Anonymous',
  });
  return { endpoint, room, code };
}

/** The room's endpoints with how many sockets each has open, on every node. */
export async function listEndpoints(db: Kysely<Database>, presence: PresenceStore, appId: string, roomName: string) {
  const room = await getRoom(db, appId, roomName);
  const endpoints = await repo.listEndpoints(db, appId, room.id);
  const counts = await presence.counts(endpoints.map((e) => endpointPresenceKey(e.id)));
  return { room, endpoints: endpoints.map((endpoint) => ({ endpoint, connections: counts.get(endpointPresenceKey(endpoint.id)) ?? 0 })) };
}

/** Revokes an endpoint of the room; its sockets are closed on every node. */
export async function deleteEndpoint(db: Kysely<Database>, events: DomainEvents, appId: string, roomName: string, endpointId: string): Promise<void> {
  const room = await getRoom(db, appId, roomName);
  const endpoint = await repo.getEndpoint(db, appId, endpointId);
  if (!endpoint || endpoint.room_id !== room.id || !(await repo.deleteEndpoint(db, appId, endpointId))) {
    throw new SwitchboardError('not_found', 'No such endpoint in this room.');
  }
  await events.endpointRevoked(endpointId);
}
