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
import { channelInspector } from './lib/inspect-channels.ts';
import { createChannelLayer, type ChannelLayer } from './channels/index.ts';
import { createDatabase, pingDatabase, type DatabaseHandle } from './db/create-database.ts';
import type { Database } from './db/schema.ts';
import { createEmitter, type Emitter } from './delivery/emitter.ts';
import { createApp } from './http/app.ts';
import { createTokenIssuer } from './auth/tokens.ts';
import { randomSecret } from './auth/secrets.ts';
import { loadSigningKeys } from './db/signing-keys.ts';
import { setupAdminToken, type AdminTokenSetup } from './auth/admin-token.ts';
import { createPresenceStore, type PresenceStore } from './presence/index.ts';
import { createBroadcasts } from './delivery/broadcasts.ts';
import { topics } from './delivery/topics.ts';
import { createServices, type Services } from './services/index.ts';
import { replyBudget } from './services/reply-budget.ts';
import { createSequences } from './sequences/create-sequences.ts';
import { seedDemo, type DemoSeed } from './demo.ts';
import { endpointSocket } from './sockets/endpoint-socket.ts';
import { workerSocket } from './sockets/worker-socket.ts';
import { userSocket } from './sockets/user-socket.ts';
import { NOTIFICATIONS_PATHS, notificationsSocket } from './sockets/compat-notifications.ts';
import type { Connection } from './ws/connection.ts';
import { startHeartbeat } from './ws/heartbeat.ts';
import { Hub } from './ws/hub.ts';
import { createAddressResolver } from './lib/client-address.ts';
import { attachSocketRoutes } from './ws/node-upgrade.ts';
import { deliverDirect } from './ws/direct.ts';
import {
  createAppJobs,
  createAppKinds,
  createJobRuntime,
  createRestRequestKind,
  createSleepKind,
  type AppJobsStats,
  type JobRuntimeStats,
} from './jobs/index.ts';
import { createPrometheusMetrics } from './metrics/prometheus.ts';
import { openLimits } from './limits/index.ts';

/** The version reported by /healthz. */
export const VERSION = '0.1.0';

/**
 * Hooks that see every frame and response the server sends (the contract test's tap). A server
 * started without them publishes the same on `inspectChannels` when those have subscribers.
 */
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
  /** What this node's job runtime holds (running jobs, deadline timers, sleep timers), to prove nothing is left. */
  jobStats(): JobRuntimeStats & { sleepTimers: number; appWorkers: AppJobsStats };
  /** Closes every socket (4002, reconnect elsewhere), then the listener, channels and database. */
  close(): Promise<void>;
}

/** How long a graceful close waits for its members to leave their rooms. */
const DEPART_DEADLINE_MS = 5_000;

/** Runs every open socket's room cleanup, within a deadline (a stalled store must not hold the close). */
async function departAll(departures: ReadonlyMap<string, () => Promise<void>>, log: Logger): Promise<void> {
  if (departures.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled([...departures.values()].map((depart) => depart()));
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DEPART_DEADLINE_MS)));
  const outcome = await Promise.race([all, late]);
  clearTimeout(timer);
  if (outcome === 'late') log.warn({ sockets: departures.size }, 'members did not all leave their rooms before the close deadline');
  else if (outcome.some((result) => result.status === 'rejected')) log.warn('some members could not leave their rooms at close');
}

/**
 * With Redis, sweeps the presence of crashed nodes every third of the presence TTL, so that
 * their members' `chat.left` is announced within the TTL plus a third of it, by whichever node
 * claims the sweep. Returns the stop.
 */
function sweepDeparted(presence: PresenceStore, services: Services, ttlMs: number, log: Logger): () => void {
  if (presence.kind !== 'redis') return () => {};
  let running = false;
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      services.chat
        .sweepDeparted()
        .then(
          (announced) => announced > 0 && log.info({ announced }, 'announced chat.left for members of a crashed node'),
          (err: unknown) => log.warn({ err }, 'sweeping the presence of crashed nodes failed; retried at the next tick'),
        )
        .finally(() => (running = false));
    },
    Math.floor(ttlMs / 3),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** Starts a node and resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<SwitchboardServer> {
  const { config } = options;
  // Without hooks of its own, a server observed through diagnostics_channel (lib/inspect-channels.ts) publishes there.
  const inspect = options.inspect ?? channelInspector();
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
  let hub: Hub | undefined;
  const metrics = createPrometheusMetrics({
    sockets: () => connections.size,
    topics: () => hub?.topicNames() ?? [],
  });
  try {
    const database = hold(
      options.database ??
        (await createDatabase({
          url: config.databaseUrl,
          dataDir: config.dataDir,
          schema: config.databaseSchema,
          migrate: config.migrate === 'on',
          onError: (err) => log.warn({ err }, 'idle database connection failed; the pool replaces it'),
        })),
    );
    const channels = hold(
      await createChannelLayer({
        redisUrl: config.redisUrl,
        cluster: config.redisCluster,
        prefix: config.redisPrefix,
        onError: (err, context) => log.error({ err, context }, 'channel layer error'),
        // Frames published while this node's subscription was down never arrived: every socket here
        // is closed with a reconnect code, and clients rejoin with `since`, recovering from history.
        onResubscribed: () => {
          log.warn({ sockets: connections.size }, 'channel subscriptions restored after a loss; closing sockets so clients recover');
          metrics.port.resubscribed();
          metrics.port.gapAnnounced('resubscription', connections.size);
          for (const connection of connections.values()) connection.close('unavailable');
        },
        onReconnected: (connection) => metrics.port.reconnected(connection),
      }),
    );
    const presence = hold(
      await createPresenceStore({
        redisUrl: config.redisUrl,
        cluster: config.redisCluster,
        prefix: config.redisPrefix,
        node,
        ttlMs: config.presenceTtlMs,
        onError: (err: unknown) => log.error({ err }, 'presence store error'),
      }),
    );
    const adminToken = await setupAdminToken({
      adminToken: config.adminToken,
      embedded: database.kind === 'pglite',
      dataDir: config.dataDir,
    });
    if (adminToken.kind === 'disabled') log.warn('ADMIN_TOKEN is not set: the operator API (/v1/apps) is off');
    const limits = hold(await openLimits(config, log));
    const events = createBroadcasts(channels);
    const sequences = hold(await createSequences(config, database.db, log, metrics.port));
    // JWT_SECRET (with JWT_SECRET_PREVIOUS after a rotation), or the generated keys in the database,
    // re-read when a token fails them (`switchboard keys rotate-signing` on another process).
    const generatedKeys = () => loadSigningKeys(database.db, () => randomSecret());
    const tokens = await createTokenIssuer(
      config.jwtSecret === undefined
        ? { keys: await generatedKeys(), reload: generatedKeys }
        : { keys: { current: config.jwtSecret, ...(config.jwtSecretPrevious ? { previous: config.jwtSecretPrevious } : {}) } },
    );
    // rest.request runs through the HTTP app, which is built from the services, which hold the jobs.
    const appFetch: { fetch?: (request: Request, env: unknown) => Response | Promise<Response> } = {};
    const sleepKind = createSleepKind();
    const restRequestKind = createRestRequestKind({
      fetch: (request, env) => appFetch.fetch!(request, env),
      credential: async (principal) =>
        (await tokens.issue(principal.userId, principal.appId, Math.max(1, Math.floor((principal.expiresAt - Date.now()) / 1000)))).token,
    });
    const jobSend = (target: string, message: string) => channels.publish(topics.jobControl(target), message);
    const appKinds = createAppKinds(database.db, { maxKinds: config.jobMaxKindsPerApp, maxSchemaBytes: config.jobMaxSchemaBytes }, [
      sleepKind.name,
      restRequestKind.name,
    ]);
    const appJobs = createAppJobs({
      db: database.db,
      node,
      kinds: appKinds,
      send: jobSend,
      limits: { maxResultBytes: config.jobMaxResultBytes, maxWorkerConcurrency: config.jobMaxWorkerConcurrency },
      log: log.child({ component: 'app-workers' }),
    });
    const jobs = hold(
      await createJobRuntime({
        db: database.db,
        node,
        kinds: [sleepKind, restRequestKind],
        limits: {
          maxPerUser: config.jobMaxPerUser,
          maxPerApp: config.jobMaxPerApp,
          maxTimeoutMs: config.jobMaxTimeoutMs,
          maxParamsBytes: config.jobMaxParamsBytes,
          maxResultBytes: config.jobMaxResultBytes,
          leaseMs: config.jobLeaseMs,
          maxQueued: config.jobMaxQueued,
        },
        appJobs,
        events,
        control: {
          send: jobSend,
          async listen(listener) {
            await channels.subscribe(topics.jobControl(node), listener);
            return () => channels.unsubscribe(topics.jobControl(node), listener);
          },
        },
        log: log.child({ component: 'jobs' }),
        metrics: metrics.port,
      }),
    );
    const replyBytes = replyBudget(config.maxBufferedBytes);
    const services = createServices({
      db: database.db,
      events,
      presence,
      sequences,
      tokens,
      jobs,
      appKinds,
      appJobs,
      log,
      replyBytes,
      quotas: { counts: limits.quotas, messages: limits.messages },
    });
    const demo = config.demo === 'auto' && database.kind === 'pglite' ? await seedDemo(services) : undefined;
    hub = new Hub(channels, metrics.port);
    const direct = deliverDirect(connections);
    const resolveAddress = createAddressResolver(config.trustProxy);
    const departures = new Map<string, () => Promise<void>>();
    const socketDeps = {
      config,
      resolveAddress,
      node,
      log,
      hub,
      connections,
      departures,
      services,
      metrics: metrics.port,
      socketCounts: limits.sockets,
      onSend: inspect?.frame,
      onClose: inspect?.close,
    };
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
      metrics: { metrics, port: metrics.port, token: config.metricsToken },
      resolveAddress,
      limits: { signIn: limits.signIn, rest: limits.rest },
      onResponse: inspect?.response,
    });
    appFetch.fetch = (request, env) => app.fetch(request, env);

    // Before listening: a socket's first frames may already be addressed to it through this topic.
    await Promise.all([
      channels.subscribe(topics.node(node), direct),
      channels.subscribe(topics.revocations, (key) => services.revoke(key)),
    ]);
    // Slowloris: a connection that trickles its headers (or its body) is closed in bounded time
    // instead of holding a file descriptor forever. Node checks both every
    // `connectionsCheckingInterval` (30 s by default), so it checks as often as the shorter one asks.
    const http = createAdaptorServer({
      fetch: app.fetch,
      serverOptions: {
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
      },
    }) as HttpServer;
    attachSocketRoutes(
      http,
      [
        { path: socketRoutes.user, accept: userSocket(socketDeps) },
        // The communication server's URLs end with a slash; the route accepts both forms.
        { path: socketRoutes.endpoint, accept: endpointSocket(socketDeps) },
        { path: socketRoutes.worker, accept: workerSocket(socketDeps) },
        // The notifications demo's own frames, for its deployed clients (docs/migrating.md).
        ...NOTIFICATIONS_PATHS.map((path) => ({ path, accept: notificationsSocket(socketDeps) })),
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
    const stopSweeping = sweepDeparted(presence, services, config.presenceTtlMs, log);
    const { port } = http.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    log.info({ port, database: database.kind, channels: channels.kind }, 'listening');

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        stopHeartbeat();
        stopSweeping();
        // Members leave their rooms (`chat.left` for the others) while the stores are still open.
        await departAll(departures, log);
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
      jobStats: () => ({ ...jobs.stats(), sleepTimers: sleepKind.pendingTimers, appWorkers: appJobs.stats() }),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await release();
    throw err;
  }
}
