/** Endpoints: secret socket codes bound to one room with a permission. */
import type { Endpoint as WireEndpoint, EndpointCreate, EndpointRotate } from '@switchboard/protocol';
import * as repo from '../db/endpoint.repository.ts';
import { hashSecret, randomSecret } from '../auth/secrets.ts';
import type { EndpointPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import { revocationKey } from './credential-cache.ts';
import { findRoom } from './rooms.ts';
import { toEndpoint } from './wire.ts';
import { checkCountQuota } from './quotas.ts';

/** The presence key under which an endpoint's live sockets are counted. */
export const endpointPresenceKey = (endpointId: string) => `endpoint:${endpointId}`;

/** Endpoints over REST, and the endpoint socket's credential and presence. */
export interface EndpointService {
  /** Creates an endpoint of a room; the code is returned in clear this once. */
  create(appId: string, roomName: string, input: EndpointCreate): Promise<{ endpoint: Omit<WireEndpoint, 'connections'>; code: string }>;
  /** Replaces the endpoint's code (returned in clear this once) and its expiry; sockets on the old code are closed on every node. */
  rotate(
    appId: string,
    roomName: string,
    endpointId: string,
    input: EndpointRotate,
  ): Promise<{ endpoint: Omit<WireEndpoint, 'connections'>; code: string }>;
  /** The room's endpoints with how many sockets each has open, on every node. */
  list(appId: string, roomName: string): Promise<WireEndpoint[]>;
  /** Revokes an endpoint of the room; its sockets are closed on every node. */
  delete(appId: string, roomName: string, endpointId: string): Promise<void>;
  /** The endpoint a secret code opens; `unauthenticated` (one answer) for an unknown, revoked, rotated or expired code. */
  authenticate(code: string): Promise<EndpointPrincipal>;
  /** Whether the endpoint, its room or its app was revoked since the principal was read. */
  revoked(principal: EndpointPrincipal): boolean;
  /** Counts a socket of the endpoint as connected. */
  attach(principal: EndpointPrincipal, connectionId: string): Promise<void>;
  /** Stops counting a socket of the endpoint. */
  detach(principal: EndpointPrincipal, connectionId: string): Promise<void>;
}

/** Creates the endpoint service. */
export function createEndpointService(ctx: ServiceContext): EndpointService {
  const { db, events, presence, credentials } = ctx;
  return {
    async create(appId, roomName, input) {
      const room = await findRoom(ctx, appId, roomName);
      await checkCountQuota(ctx, 'endpoints', appId);
      const expiresAt = codeExpiry(input.expiresAt);
      const code = randomSecret();
      const endpoint = await repo.createEndpoint(db, {
        appId,
        roomId: room.id,
        codeHash: hashSecret(code),
        permissions: input.permissions,
        identity: input.identity ?? 'Anonymous',
        expiresAt,
      });
      const { connections: _, ...shown } = toEndpoint(endpoint, room.name, 0);
      return { endpoint: shown, code };
    },
    async rotate(appId, roomName, endpointId, input) {
      const expiresAt = codeExpiry(input.expiresAt);
      const room = await findRoom(ctx, appId, roomName);
      const code = randomSecret();
      const endpoint = await repo.rotateEndpointCode(db, { appId, roomId: room.id, id: endpointId, codeHash: hashSecret(code), expiresAt });
      if (!endpoint) throw new SwitchboardError('not_found', 'No such endpoint in this room.');
      // The same revocation as a delete: every node drops the cached old code and closes its sockets (4501).
      await events.endpointRevoked(endpointId);
      const { connections: _, ...shown } = toEndpoint(endpoint, room.name, 0);
      return { endpoint: shown, code };
    },
    async list(appId, roomName) {
      const room = await findRoom(ctx, appId, roomName);
      const endpoints = await repo.listEndpoints(db, appId, room.id);
      const counts = await presence.counts(endpoints.map((e) => endpointPresenceKey(e.id)));
      return endpoints.map((endpoint) => toEndpoint(endpoint, room.name, counts.get(endpointPresenceKey(endpoint.id)) ?? 0));
    },
    async delete(appId, roomName, endpointId) {
      const room = await findRoom(ctx, appId, roomName);
      const endpoint = await repo.getEndpoint(db, appId, endpointId);
      if (!endpoint || endpoint.room_id !== room.id || !(await repo.deleteEndpoint(db, appId, endpointId))) {
        throw new SwitchboardError('not_found', 'No such endpoint in this room.');
      }
      await events.endpointRevoked(endpointId);
    },
    async authenticate(code) {
      const found = await credentials.endpoint(code);
      const expiresAt = found?.endpoint.expires_at ? new Date(found.endpoint.expires_at).getTime() : Number.POSITIVE_INFINITY;
      // An expired code gets the unknown code's answer: the refusal tells nothing about the code.
      if (!found || expiresAt <= Date.now()) throw new SwitchboardError('unauthenticated', 'Unknown or revoked endpoint code.');
      const { endpoint, room } = found;
      return {
        kind: 'endpoint',
        appId: endpoint.app_id,
        endpointId: endpoint.id,
        roomId: room.id,
        room: room.name,
        permissions: endpoint.permissions,
        identity: endpoint.identity,
        expiresAt,
        verifiedAt: found.verifiedAt,
      };
    },
    revoked: (principal) =>
      credentials.revokedSince(
        [revocationKey.endpoint(principal.endpointId), revocationKey.room(principal.roomId), revocationKey.app(principal.appId)],
        principal.verifiedAt,
      ),
    attach: (principal, connectionId) => presence.add(endpointPresenceKey(principal.endpointId), connectionId, '1'),
    async detach(principal, connectionId) {
      await presence.remove(endpointPresenceKey(principal.endpointId), connectionId);
    },
  };
}

/** A requested code expiry: null for never, else a time that must be in the future (`validation_failed` otherwise). */
function codeExpiry(expiresAt: string | null | undefined): Date | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  const at = new Date(expiresAt);
  if (!(at.getTime() > Date.now())) {
    throw new SwitchboardError('validation_failed', undefined, {
      issues: [{ path: '/expiresAt', message: 'must be a time in the future' }],
    });
  }
  return at;
}
