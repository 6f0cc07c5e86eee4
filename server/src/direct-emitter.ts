/**
 * The direct emitter: a backend process beside the server (a queue consumer, a cron job) that
 * publishes to an app's rooms and notifies its users through the same Postgres and Redis the
 * nodes use, with no HTTP hop. It builds the same services a node builds, so a message it
 * publishes is numbered, stored (rooms with history) and delivered exactly as a REST publish is,
 * and every payload is checked against the REST operation's schema before anything is written.
 */
import { randomUUID } from 'node:crypto';
import type { BodyOf, RoomMessage, UserEvents } from '@switchboard/protocol';
import { defaultConfig } from './config.ts';
import { createChannelLayer } from './channels/index.ts';
import { createDatabase } from './db/create-database.ts';
import { loadSigningKeys } from './db/signing-keys.ts';
import { createTokenIssuer } from './auth/tokens.ts';
import { randomSecret } from './auth/secrets.ts';
import { createBroadcasts } from './delivery/broadcasts.ts';
import { createEmitter } from './delivery/emitter.ts';
import { createMemoryPresenceStore } from './presence/memory-presence-store.ts';
import { createSequences } from './sequences/create-sequences.ts';
import { replyBudget } from './services/reply-budget.ts';
import { createServices } from './services/index.ts';
// The same check REST applies to its bodies: nothing the REST call would refuse leaves this process.
import { checkBody } from './http/body.ts';
import { createLogger, type Logger } from './lib/logger.ts';

/** Where the emitter finds the deployment, and whose rooms and users it speaks for. */
export interface DirectEmitterOptions {
  /** The nodes' Postgres (`DATABASE_URL`). */
  databaseUrl: string;
  /** The nodes' Redis (`REDIS_URL`): without it nothing would reach the nodes' sockets. */
  redisUrl: string;
  /** The nodes' `REDIS_PREFIX`; `sb:` by default. */
  redisPrefix?: string;
  /** The nodes' `REDIS_CLUSTER=on`: `redisUrl` lists seeds of a Redis Cluster. */
  redisCluster?: boolean;
  /** An API key of the app whose rooms and users this emitter addresses: the same credential as REST, revoked the same way. */
  apiKey: string;
  logger?: Logger;
}

/** What a direct emitter sends; each call resolves once the message is stored and published. */
export interface DirectEmitter extends AsyncDisposable {
  toRoom(room: string): {
    /** Publishes a message as the app (what `POST /v1/rooms/{room}/messages` does). */
    publish(body: BodyOf<'publishMessage'>): Promise<RoomMessage>;
    /** Sends a notification to every member (what `POST /v1/rooms/{room}/notifications` does). */
    notify(body: BodyOf<'notifyRoom'>): Promise<void>;
  };
  toUser(userId: string): {
    /** Sends a notification to every socket of the user (what `POST /v1/users/{id}/notifications` does). */
    notify(body: BodyOf<'notifyUser'>): Promise<void>;
  };
  toConnection(connectionId: string): {
    emit<E extends keyof UserEvents & string>(event: E, payload: UserEvents[E]): Promise<void>;
  };
  close(): Promise<void>;
}

/**
 * Opens a direct emitter on the deployment's Postgres and Redis.
 * @example
 * await using emitter = await createDirectEmitter({ databaseUrl, redisUrl, apiKey });
 * await emitter.toUser(userId).notify({ message: 'Your export is ready', level: 'success' });
 */
export async function createDirectEmitter(options: DirectEmitterOptions): Promise<DirectEmitter> {
  const config = defaultConfig({
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    redisPrefix: options.redisPrefix ?? 'sb:',
    redisCluster: options.redisCluster ?? false,
  });
  const log = options.logger ?? createLogger({ level: 'warn', base: { emitter: randomUUID().slice(0, 8) } });
  const database = await createDatabase({
    url: config.databaseUrl,
    onError: (err) => log.warn({ err }, 'idle database connection failed'),
  });
  const closers: (() => Promise<void>)[] = [() => database.close()];
  const close = async () => {
    for (let next = closers.pop(); next; next = closers.pop()) await next();
  };
  try {
    const channels = await createChannelLayer({
      redisUrl: config.redisUrl,
      cluster: config.redisCluster,
      prefix: config.redisPrefix,
      onError: (err, context) => log.error({ err, context }, 'channel layer error'),
    });
    closers.push(() => channels.close());
    const sequences = await createSequences(config, database.db, log);
    closers.push(() => sequences.close());
    const keys = () => loadSigningKeys(database.db, () => randomSecret());
    const tokens = await createTokenIssuer({ keys: await keys(), reload: keys });
    // The emitter joins no room: presence is never read on the paths it uses.
    const presence = createMemoryPresenceStore({ node: 'emitter' });
    // It answers no socket, so no reply budget applies; the default one keeps the service complete.
    const services = createServices({
      db: database.db,
      events: createBroadcasts(channels),
      presence,
      sequences,
      tokens,
      log,
      replyBytes: replyBudget(config.maxBufferedBytes),
    });
    const app = await services.apps.authenticate(options.apiKey);
    const connections = createEmitter(channels);
    return {
      toRoom: (room) => ({
        publish: async (body) => {
          const { data, identity } = checkBody('publishMessage', body);
          return services.messages.publish(app.id, room, { type: 'app', identity: identity ?? app.name }, { data });
        },
        notify: async (body) => services.rooms.notify(app.id, room, checkBody('notifyRoom', body)),
      }),
      toUser: (userId) => ({ notify: async (body) => services.users.notify(app.id, userId, checkBody('notifyUser', body)) }),
      toConnection: (connectionId) => connections.toConnection(connectionId),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
