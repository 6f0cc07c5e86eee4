import { nodeTopic } from '../ws/direct.ts';

/** Channel-layer topic names, in one place so every publisher and subscriber agrees. */
export const topics = {
  /** One node: frames addressed to single connections living on it (see ws/direct.ts). */
  node: nodeTopic,
  /** Messages of a room for its endpoint readers. */
  roomReaders: (roomId: string) => `room:${roomId}:readers`,
  /** Lifecycle of a room (deleted) for every endpoint socket bound to it. */
  roomControl: (roomId: string) => `room:${roomId}:control`,
  /** Lifecycle of one endpoint (revoked). */
  endpoint: (endpointId: string) => `endpoint:${endpointId}`,
  /** A room's chat members coming and going, for endpoint readers that asked for presence. */
  roomPresence: (roomId: string) => `room:${roomId}:presence`,
  /** Chat traffic of a room for the user sockets that joined it. */
  roomChat: (roomId: string) => `room:${roomId}:chat`,
  /** Every socket of one user (notifications, deletion). */
  user: (userId: string) => `user:${userId}`,
  /** Every user socket of an app (`rooms.changed`). */
  appUsers: (appId: string) => `app:${appId}:users`,
  /** Revoked credentials (`endpoint:<id>`, `room:<id>`, `app:<id>`, `user:<id>`), heard by every node's credential cache. */
  revocations: 'revocations',
  /** Lifecycle of one app (deleted): every socket of the app. */
  app: (appId: string) => `app:${appId}`,
  /** The sockets one API key opened (workers): closed when the key is revoked. */
  apiKey: (keyId: string) => `api-key:${keyId}`,
  /** Kills for the jobs one node runs. */
  jobControl: (node: string) => `jobs:${node}`,
} as const;
