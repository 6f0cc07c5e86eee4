/**
 * The REST API as resource calls, each one line over the spec-typed openapi-fetch client: what
 * goes in and comes out is exactly what specs/openapi.yaml says.
 */
import type { Client } from 'openapi-fetch';
import type { BodyOf } from '@switchboard/protocol';
import type { components, operations, paths } from '@switchboard/protocol/openapi';
import { unwrap } from './rest-client-core.ts';

type Schemas = components['schemas'];
type Query<Op extends keyof operations> = operations[Op] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Builds the resource groups over a raw client. */
export function createResources(raw: Client<paths>) {
  return {
    /** Operator-only: apps and their API keys (needs `adminToken`). */
    apps: {
      /** Creates an app; `apiKey` in the result is shown this once. */
      create: (body: BodyOf<'createApp'>) => unwrap(raw.POST('/v1/apps', { body })),
      list: () => unwrap(raw.GET('/v1/apps')),
      delete: (appId: string) => unwrap(raw.DELETE('/v1/apps/{appId}', { params: { path: { appId } } })),
      /** Adds a key (for rotation); shown this once. */
      createKey: (appId: string) => unwrap(raw.POST('/v1/apps/{appId}/keys', { params: { path: { appId } } })),
      revokeKey: (appId: string, keyId: string) =>
        unwrap(raw.DELETE('/v1/apps/{appId}/keys/{keyId}', { params: { path: { appId, keyId } } })),
    },
    /** The app's rooms (needs `apiKey`). */
    rooms: {
      create: (body: BodyOf<'createRoom'>): Promise<Schemas['Room']> => unwrap(raw.POST('/v1/rooms', { body })),
      list: () => unwrap(raw.GET('/v1/rooms')),
      get: (room: string) => unwrap(raw.GET('/v1/rooms/{room}', { params: { path: { room } } })),
      update: (room: string, body: BodyOf<'updateRoom'>) => unwrap(raw.PATCH('/v1/rooms/{room}', { params: { path: { room } }, body })),
      delete: (room: string) => unwrap(raw.DELETE('/v1/rooms/{room}', { params: { path: { room } } })),
      /** The users in the room right now, on every node. */
      members: (room: string) => unwrap(raw.GET('/v1/rooms/{room}/members', { params: { path: { room } } })),
      /** Pushes a `notification` to every user socket that joined the room. */
      notify: (room: string, body: BodyOf<'notifyRoom'>) =>
        unwrap(raw.POST('/v1/rooms/{room}/notifications', { params: { path: { room } }, body })),
    },
    /** A room's endpoints (needs `apiKey`). */
    endpoints: {
      /** Creates an endpoint; `code` and `path` in the result are shown this once. */
      create: (room: string, body: BodyOf<'createEndpoint'>) =>
        unwrap(raw.POST('/v1/rooms/{room}/endpoints', { params: { path: { room } }, body })),
      list: (room: string) => unwrap(raw.GET('/v1/rooms/{room}/endpoints', { params: { path: { room } } })),
      delete: (room: string, endpointId: string) =>
        unwrap(raw.DELETE('/v1/rooms/{room}/endpoints/{endpointId}', { params: { path: { room, endpointId } } })),
      /** Gives an endpoint a new code (shown this once) and closes the sockets on the old one. */
      rotate: (room: string, endpointId: string, body: BodyOf<'rotateEndpointCode'> = {}) =>
        unwrap(raw.POST('/v1/rooms/{room}/endpoints/{endpointId}/rotate', { params: { path: { room, endpointId } }, body })),
    },
    /** The job kinds the app declares and serves from its workers (needs `apiKey`; see `createWorker`). */
    jobKinds: {
      /** Declares or replaces a kind: its params and result JSON Schemas, concurrency and default timeout. */
      put: (kind: string, body: BodyOf<'putJobKind'>) => unwrap(raw.PUT('/v1/job-kinds/{kind}', { params: { path: { kind } }, body })),
      get: (kind: string) => unwrap(raw.GET('/v1/job-kinds/{kind}', { params: { path: { kind } } })),
      list: () => unwrap(raw.GET('/v1/job-kinds')),
      delete: (kind: string) => unwrap(raw.DELETE('/v1/job-kinds/{kind}', { params: { path: { kind } } })),
    },
    /** The app's users, their tokens and notifications (needs `apiKey`). */
    users: {
      /** Creates a user; with a password they can sign in themselves. */
      create: (body: BodyOf<'createUser'>) => unwrap(raw.POST('/v1/users', { body })),
      list: () => unwrap(raw.GET('/v1/users')),
      get: (userId: string) => unwrap(raw.GET('/v1/users/{userId}', { params: { path: { userId } } })),
      /** Changes the display name, staff flag or password (a reset). */
      update: (userId: string, body: BodyOf<'updateUser'>) =>
        unwrap(raw.PATCH('/v1/users/{userId}', { params: { path: { userId } }, body })),
      /** Signs the user out everywhere: their tokens are refused and their sockets closed. */
      revokeTokens: (userId: string) => unwrap(raw.POST('/v1/users/{userId}/revoke-tokens', { params: { path: { userId } } })),
      delete: (userId: string) => unwrap(raw.DELETE('/v1/users/{userId}', { params: { path: { userId } } })),
      /** Mints an access token for a user the app authenticated itself. */
      createToken: (userId: string, body: BodyOf<'createUserToken'> = {}) =>
        unwrap(raw.POST('/v1/users/{userId}/tokens', { params: { path: { userId } }, body })),
      /** Pushes a `notification` to every socket of the user. */
      notify: (userId: string, body: BodyOf<'notifyUser'>) =>
        unwrap(raw.POST('/v1/users/{userId}/notifications', { params: { path: { userId } }, body })),
    },
    /** App-signed tokens for the app's own users, without a Switchboard user (needs `apiKey`). */
    tokens: {
      /** A token for the app's user `userId` (on the wire `ext:<userId>`), shown as `name`. */
      create: (body: BodyOf<'createAppToken'>) => unwrap(raw.POST('/v1/tokens', { body })),
    },
    /** Signing in with a username and password (no credentials needed). */
    auth: {
      signIn: (body: BodyOf<'signIn'>) => unwrap(raw.POST('/v1/auth/token', { body })),
    },
    /** Publishing into a room and paging its history (needs `apiKey`). */
    messages: {
      publish: (room: string, body: BodyOf<'publishMessage'>) =>
        unwrap(raw.POST('/v1/rooms/{room}/messages', { params: { path: { room } }, body })),
      list: (room: string, query: Query<'listMessages'> = {}) =>
        unwrap(raw.GET('/v1/rooms/{room}/messages', { params: { path: { room }, query } })),
    },
  };
}

/** The resource groups of the REST client. */
export type RestResources = ReturnType<typeof createResources>;
