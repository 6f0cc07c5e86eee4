/**
 * Starts real server nodes for tests, on either backend the design promises: embedded defaults
 * (PGlite cloned from a migrated template, in-process channels) or real Postgres and Redis.
 * Every frame, close, refused upgrade and response they send is checked against the specs; a
 * violation fails the test during which the server sent it (the `afterEach` of contract-hooks.ts,
 * registered in every file that imports this module), and closing a server with unreported ones
 * fails too. Servers in child processes are tapped by process-tap.ts.
 */
import { randomUUID } from 'node:crypto';
import { defaultConfig, startServer, type Inspector, type ServerConfig, type SwitchboardServer } from '@switchboard/server';
import { createLogger, type Logger } from '@switchboard/server';
import './contract-hooks.ts';
import { checkClose, checkFrame, checkRefusal, checkResponse } from './contract.ts';
import { selectedBackends, type Backend } from './backends.ts';
import { createTestDatabase } from './databases.ts';
import { openTaps } from './tap-registry.ts';

export type { Backend } from './backends.ts';

/** The backends every server suite runs on: both, or those `TEST_BACKENDS` names. */
export const backends: readonly Backend[] = selectedBackends;

/** Redis for tests; each test run namespaces its topics with a random prefix. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Postgres database and a Redis namespace that several nodes share, as in production. */
export interface SharedBackend extends AsyncDisposable {
  readonly databaseUrl: string;
  readonly redisPrefix: string;
  close(): Promise<void>;
}

/** Creates a fresh Postgres database and Redis prefix for a group of nodes. */
export async function createSharedBackend(): Promise<SharedBackend> {
  const database = await createTestDatabase('postgres');
  const close = () => database.close();
  return { databaseUrl: database.url!, redisPrefix: `test-${randomUUID().slice(0, 8)}:`, close, [Symbol.asyncDispose]: close };
}

/** A running test node and what it recorded. */
export interface TestServer extends SwitchboardServer {
  /** Frames, closes, refusals and responses that did not match the specs. */
  readonly violations: readonly string[];
  /** Calls `listener` with every frame this node sends from now on (as written, before the client's SDK sees it); returns the unsubscribe. */
  onFrame(listener: (route: string, frame: string) => void): () => void;
}

/** Options of a test node. */
export interface TestServerOptions {
  backend: Backend;
  /** Nodes given the same shared backend see each other (postgres+redis only). */
  shared?: SharedBackend;
  config?: Partial<ServerConfig>;
  logger?: Logger;
}

/** The operator token of test nodes. */
export const TEST_ADMIN_TOKEN = 'test-operator-token-0123456789abcdef';

/** A contract tap: the server's hooks plus what it found. */
export interface ContractTap extends Required<Inspector> {
  /** Every violation seen, reported or not. */
  readonly violations: readonly string[];
  /** Hands over the violations no test has failed for yet. */
  takeUnreported(): string[];
}

/**
 * Checks everything a server sends and records what breaks the specs. Servers a test starts
 * without `startTestServer` (a restart on the same data folder) pass one as `inspect` and call
 * `release` when done.
 */
export function createContractTap(): ContractTap & { release(): void } {
  const violations: string[] = [];
  const pending: string[] = [];
  const record = (problem: string | null, what: string) => {
    if (problem === null) return;
    violations.push(`${what}: ${problem}`);
    pending.push(`${what}: ${problem}`);
  };
  const tap = {
    violations,
    takeUnreported: () => pending.splice(0),
    release: () => void openTaps.delete(tap),
    frame: (route: string, frame: string) => record(checkFrame(route, frame), `frame on ${route}`),
    close: (route: string, code: number, reason: string) => record(checkClose(route, code, reason), 'close'),
    refusal: (path: string, status: number, body: string) => record(checkRefusal(path, status, body), 'refused upgrade'),
    response: (method: string, path: string, status: number, body: string) => record(checkResponse(method, path, status, body), 'response'),
  };
  openTaps.add(tap);
  return tap;
}

/** Starts a node on 127.0.0.1 with a free port. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const tap = createContractTap();
  const listeners = new Set<(route: string, frame: string) => void>();
  const inspect: Inspector = {
    ...tap,
    frame: (route, frame) => {
      tap.frame(route, frame);
      for (const listener of listeners) listener(route, frame);
    },
  };
  const onFrame = (listener: (route: string, frame: string) => void) => (listeners.add(listener), () => void listeners.delete(listener));
  let owned: SharedBackend | undefined;
  let server: SwitchboardServer;
  if (options.backend === 'embedded') {
    const database = await createTestDatabase('pglite');
    server = await startServer({
      config: defaultConfig({ port: 0, adminToken: TEST_ADMIN_TOKEN, demo: 'off', ...options.config }),
      database: { db: database.db, kind: 'pglite', close: database.close },
      logger,
      inspect,
    });
  } else {
    const shared = options.shared ?? (owned = await createSharedBackend());
    server = await startServer({
      config: defaultConfig({
        port: 0,
        adminToken: TEST_ADMIN_TOKEN,
        demo: 'off',
        databaseUrl: shared.databaseUrl,
        redisUrl: TEST_REDIS_URL,
        redisPrefix: shared.redisPrefix,
        ...options.config,
      }),
      logger,
      inspect,
    });
  }
  const close = async () => {
    await server.close();
    await owned?.close();
    tap.release();
    // What arrived after the file's last test (e.g. closes on shutdown in an afterAll) fails here.
    const late = tap.takeUnreported();
    if (late.length > 0) throw new Error(`the server broke its specs:\n  ${late.join('\n  ')}`);
  };
  return { ...server, violations: tap.violations, onFrame, close, [Symbol.asyncDispose]: close };
}
