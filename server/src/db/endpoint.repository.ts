import { randomUUID } from 'node:crypto';
import { mapUniqueViolation } from './errors.ts';
import type { Endpoint, EndpointPermissions, Executor, Room } from './schema.ts';

/** What an endpoint is created with; the code itself is never stored, only its hash. */
export interface CreateEndpointInput {
  appId: string;
  roomId: string;
  codeHash: string;
  permissions: EndpointPermissions;
  identity: string;
  /** When the code stops working. @default null: never */
  expiresAt?: Date | null;
}

/** Creates an endpoint; throws `UniqueViolation` (`endpoints_code_hash_key`) on a repeated code hash. */
export async function createEndpoint(db: Executor, input: CreateEndpointInput): Promise<Endpoint> {
  return mapUniqueViolation(() =>
    db
      .insertInto('endpoints')
      .values({
        id: randomUUID(),
        app_id: input.appId,
        room_id: input.roomId,
        code_hash: input.codeHash,
        permissions: input.permissions,
        identity: input.identity,
        expires_at: input.expiresAt ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/** The endpoint with this code hash and its room, for the endpoint socket's handshake. */
export async function findEndpointByCodeHash(db: Executor, codeHash: string): Promise<{ endpoint: Endpoint; room: Room } | undefined> {
  const endpoint = await db.selectFrom('endpoints').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  if (endpoint === undefined) return undefined;
  const room = await db.selectFrom('rooms').selectAll().where('id', '=', endpoint.room_id).executeTakeFirst();
  // The foreign key cascades, so a missing room only means it was deleted between the two reads.
  return room === undefined ? undefined : { endpoint, room };
}

/** An app's endpoints, optionally of one room, oldest first. */
export async function listEndpoints(db: Executor, appId: string, roomId?: string): Promise<Endpoint[]> {
  let query = db.selectFrom('endpoints').selectAll().where('app_id', '=', appId);
  if (roomId !== undefined) query = query.where('room_id', '=', roomId);
  return query.orderBy('created_at').orderBy('id').execute();
}

/** One of an app's endpoints by id. */
export async function getEndpoint(db: Executor, appId: string, id: string): Promise<Endpoint | undefined> {
  return db.selectFrom('endpoints').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
}

/** Deletes one of an app's endpoints; false when there was no such endpoint. */
export async function deleteEndpoint(db: Executor, appId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('endpoints').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Replaces one of an app's endpoint codes (and its expiry); the old hash stops matching at once.
 * Undefined when there is no such endpoint in the room.
 */
export async function rotateEndpointCode(
  db: Executor,
  input: { appId: string; roomId: string; id: string; codeHash: string; expiresAt: Date | null },
): Promise<Endpoint | undefined> {
  return mapUniqueViolation(() =>
    db
      .updateTable('endpoints')
      .set({ code_hash: input.codeHash, expires_at: input.expiresAt })
      .where('app_id', '=', input.appId)
      .where('room_id', '=', input.roomId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirst(),
  );
}
