/**
 * The composition root: builds storage, the channel layer, the services (once), the hub, the
 * HTTP app and the socket routes from one config, starts listening, and shuts all of it down in
 * reverse order.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Kysely } from 'kysely';
import { socketRoutes } from '@switchboard/protocol';
import type { ServerConfig } from './config.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createChannelLayer, type ChannelLayer } from './channels/index.ts';
import { createDatabase, pingDatabase, type DatabaseHandle } from './db/create-database.ts';
import type { Database } from './db/schema.ts';
import { createEmitter, type Emitter } from './delivery/emitter.ts';
import { createApp } from './http/app.ts';
import { createTokenIssuer } from './auth/tokens.ts';
import { randomSecret } from './auth/secrets.ts';
import { getOrCreateSetting } from './db/setting.repository.ts';
import { setupAdminToken, type AdminTokenSetup } from './auth/admin-token.ts';
import { createPresenceStore, type PresenceStore } from './presence/index.ts';
import { createBroadcasts } from './delivery/broadcasts.ts';
import { topics } from './delivery/topics.ts';
import { createServices } from './services/index.ts';
import { createSequences } from './sequences/create-sequences.ts';
import { seedDemo, type DemoSeed } from './demo.ts';
import { endpointSocket } from './sockets/endpoint-socket.ts';
import { userSocket } from './sockets/user-socket.ts';
import type { Connection } from './ws/connection.ts';
import { startHeartbeat } from './ws/heartbeat.ts';
import { Hub } from './ws/hub.ts';
import { attachSocketRoutes } from './ws/node-upgrade.ts';
import { deliverDirect } from './ws/direct.ts';

/** The version reported by /healthz. */
export const VERSION = '0.1.0';

/** Hooks that see every frame and response the server sends (the contract test's tap). */
export interface Inspector {
  frame?(route: string, frame: string): void;
  response?(method: string, path: string, status: number, body: string): void;
  /** An upgrade refused before the handshake: the request path, the status and the error body written. */
  refusal?(path: string, status: number, body: string): void;
  /** A close the server sends on a socket route: its code and reason. */
  close?(route: string, code: number, reason: string): void;
}

/** What `startServer` takes besides the config. */
export interface ServerOptions {
  config: ServerConfig;
  logger?: Logger;
  inspect?: Inspector;
  /** A database opened (and migrated) by the caller; the server closes it on close. */
  database?: DatabaseHandle;
}

/** A running Switchboard node. */
export interface SwitchboardServer extends AsyncDisposable {
  readonly node: string;
  /** `http://host:port`. */
  readonly url: string;
  /** `ws://host:port`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly emitter: Emitter;
  readonly db: Kysely<Database>;
  readonly channels: ChannelLayer;
  readonly presence: PresenceStore;
  /** How the operator token was set up; `generated` carries the token to print once. */
  readonly adminToken: AdminTokenSetup;
  /** The demo app seeded on this first start of an empty embedded database, to print once. */
  readonly demo: DemoSeed | undefined;
  /** The sockets open on this node. */
  readonly connections: ReadonlyMap<string, Connection>;
  /** Closes every socket (4002, reconnect elsewhere), then the listener, channels and database. */
  close(): Promise<void>;
}

/** Starts a node and resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<SwitchboardServer> {
  const { config, inspect } = options;
  const node = randomUUID().slice(0, 8);
  const log = options.logger ?? createLogger({ level: config.logLevel, base: { node } });
  // Everything opened is held here: a failed start and close() both release it in reverse order.
  const resources: { close(): Promise<void> }[] = [];
  const hold = <T extends { close(): Promise<void> }>(resource: T): T => (resources.push(resource), resource);
  const release = async () => {
    for (let resource = resources.pop(); resource; resource = resources.pop()) await resource.close();
  };
  // The sockets open on this node; the channel layer may need to reach them from its first reconnect.
  const connections = new Map<string, Connection>();
  try {
    const database = hold(
      options.database ??
        (await createDatabase({
          url: config.databaseUrl,
          dataDir: config.dataDir,
          onError: (err) => log.warn({ err }, 'idle database connection failed; the pool replaces it'),
        })),
    );
    const channels = hold(
      await createChannelLayer({
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        onError: (err, context) => log.error({ err, context }, 'channel layer error'),
        // Frames published while this node's subscription was down never arrived: every socket here
        // is closed with a reconnect code, and clients rejoin with `since`, recovering from history.
        onResubscribed: () => {
          log.warn({ sockets: connections.size }, 'channel subscriptions restored after a loss; closing sockets so clients recover');
          for (const connection of connections.values()) connection.close('unavailable');
        },
      }),
    );
    const presence = hold(
      await createPresenceStore({
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        node,
        onError: (err: unknown) => log.error({ err }, 'presence store error'),
      }),
    );
    const adminToken = await setupAdminToken({
      adminToken: config.adminToken,
      embedded: database.kind === 'pglite',
      dataDir: config.dataDir,
    });
    if (adminToken.kind === 'disabled') log.warn('ADMIN_TOKEN is not set: the operator API (/v1/apps) is off');
    const events = createBroadcasts(channels);
    const sequences = hold(await createSequences(config, database.db, log));
    const tokens = await createTokenIssuer(config.jwtSecret ?? (await getOrCreateSetting(database.db, 'jwt_secret', () => randomSecret())));
    const services = createServices({ db: database.db, events, presence, sequences, tokens, log });
    const demo = config.demo === 'auto' && database.kind === 'pglite' ? await seedDemo(services) : undefined;
    const hub = new Hub(channels);
    const direct = deliverDirect(connections);
    const socketDeps = { config, node, log, hub, connections, services, onSend: inspect?.frame, onClose: inspect?.close };
    const app = createApp({
      node,
      version: VERSION,
      database: { kind: database.kind, ping: () => pingDatabase(database.db) },
      channels,
      log,
      services,
      adminToken,
      maxBodyBytes: config.maxFrameBytes,
      allowedOrigins: config.allowedOrigins,
      onResponse: inspect?.response,
    });

    // Before listening: a socket's first frames may already be addressed to it through this topic.
    await Promise.all([
      channels.subscribe(topics.node(node), direct),
      channels.subscribe(topics.revocations, (key) => services.revoke(key)),
    ]);
    const http = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
    attachSocketRoutes(
      http,
      [
        { path: socketRoutes.user, accept: userSocket(socketDeps) },
        // The communication server's URLs end with a slash; the route accepts both forms.
        { path: socketRoutes.endpoint, accept: endpointSocket(socketDeps) },
      ],
      // Frames a little over the limit get a frame_too_large answer; far larger ones close the socket (1009) unread.
      { maxPayloadBytes: config.maxFrameBytes * 2 + 65_536, log, onRefuse: inspect?.refusal },
    );
    http.listen(config.port, config.host);
    await new Promise<void>((resolve, reject) => {
      http.once('listening', resolve);
      http.once('error', reject);
    });
    const stopHeartbeat = startHeartbeat(connections, config.heartbeatMs);
    const { port } = http.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    log.info({ port, database: database.kind, channels: channels.kind }, 'listening');

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        stopHeartbeat();
        for (const connection of connections.values()) connection.close('server_restart');
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          // Sockets already upgraded are not HTTP connections any more; close the idle keep-alives too.
          if ('closeAllConnections' in http) http.closeAllConnections();
        });
        await release();
        log.info('closed');
      })());

    return {
      node,
      url: `http://${host}:${port}`,
      wsUrl: `ws://${host}:${port}`,
      port,
      emitter: createEmitter(channels),
      db: database.db,
      channels,
      presence,
      adminToken,
      demo,
      connections,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await release();
    throw err;
  }
}
