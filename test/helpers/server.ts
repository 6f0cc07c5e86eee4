/**
 * Starts real server nodes for tests, on either backend the design promises: embedded defaults
 * (PGlite cloned from a migrated template, in-process channels) or real Postgres and Redis.
 * Every frame and response they send is checked against the specs; closing a server whose
 * traffic broke the contract fails the test.
 */
import { randomUUID } from 'node:crypto';
import { defaultConfig, startServer, type ServerConfig, type SwitchboardServer } from '@switchboard/server';
import { createLogger, type Logger } from '@switchboard/server';
import { checkFrame, checkResponse } from './contract.ts';
import { selectedBackends, type Backend } from './backends.ts';
import { createTestDatabase } from './databases.ts';

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
  /** Frames and responses that did not match the specs. */
  readonly violations: string[];
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

/** Starts a node on 127.0.0.1 with a free port. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const violations: string[] = [];
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const inspect = {
    frame: (route: string, frame: string) => {
      const problem = checkFrame(route, frame);
      if (problem) violations.push(`frame on ${route}: ${problem}`);
    },
    response: (method: string, path: string, status: number, body: string) => {
      const problem = checkResponse(method, path, status, body);
      if (problem) violations.push(`response: ${problem}`);
    },
  };
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
      config: defaultConfig({ port: 0, adminToken: TEST_ADMIN_TOKEN, demo: 'off', databaseUrl: shared.databaseUrl, redisUrl: TEST_REDIS_URL, redisPrefix: shared.redisPrefix, ...options.config }),
      logger,
      inspect,
    });
  }
  const close = async () => {
    await server.close();
    await owned?.close();
    if (violations.length > 0) throw new Error(`the server broke its specs:\n  ${violations.join('\n  ')}`);
  };
  return { ...server, violations, close, [Symbol.asyncDispose]: close };
}
