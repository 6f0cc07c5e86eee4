/**
 * Shared by the suites of the modules that run on memory or on Redis (channels, presence): the
 * test Redis and an admin client on it, per-test namespaces, recorded `onError` reports, the
 * shape of a three-node cluster, and the checks that connection errors never leak a password.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect } from 'vitest';

/** The Redis these tests run against. */
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Connects a client outside the nodes, to observe and tamper with Redis as an operator (or a crash) would. */
export async function connectAdmin(url: string = redisUrl) {
  const admin = createClient({ url });
  // A failed command fails its test; connection errors add nothing.
  admin.on('error', () => {});
  await admin.connect();
  return admin;
}

/** The client `connectAdmin` resolves with. */
export type AdminClient = Awaited<ReturnType<typeof connectAdmin>>;

/**
 * Connects an admin client before the tests of the calling file and closes it after them; call it
 * at the file's top level. The getter it returns throws outside those hooks' span.
 */
export function useAdminClient(): () => AdminClient {
  let admin: AdminClient | undefined;
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(async () => {
    await admin?.close();
  });
  return () => {
    if (admin === undefined) throw new Error('admin client not connected');
    return admin;
  };
}

/** Drops the connection named `name` as a network failure would (`CLIENT KILL`); fails the test when there is none. */
export async function killConnection(admin: AdminClient, name: string): Promise<void> {
  const id = (await admin.clientList()).find((client) => client.name === name)?.id;
  expect(id).toBeDefined();
  await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)]);
}

/** A prefix per cluster or test: parallel test files and earlier runs share this Redis. */
export function testPrefix(): string {
  return `sb-test:${randomUUID()}:`;
}

/** One error reported through `onError`, with the context it came with. */
export interface ReportedError<Context> {
  readonly error: unknown;
  readonly context: Context;
}

/** An `onError` that records what it receives. */
export function recordErrors<Context>(): { errors: ReportedError<Context>[]; onError: (error: unknown, context: Context) => void } {
  const errors: ReportedError<Context>[] = [];
  return {
    errors,
    onError: (error, context) => {
      errors.push({ error, context });
    },
  };
}

/** A promise with its resolve function, for events a test waits on. */
export function createDeferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Three nodes on one backend, like three servers on one Redis; each suite adds what it observes. */
export interface NodeCluster<Node, Context> extends AsyncDisposable {
  readonly nodes: readonly [Node, Node, Node];
  /** What each node reported through onError, by node index. */
  readonly errors: readonly (readonly ReportedError<Context>[])[];
}

/** Builds clusters on one backend; a suite runs once per implementation, memory and Redis. */
export interface Implementation<Cluster> {
  readonly name: 'memory' | 'redis';
  createCluster(): Promise<Cluster>;
}

/**
 * Completes a suite's cluster: `extend` adds what the suite observes, creating any further node
 * through `track`, so that disposing the cluster closes those together with the three.
 */
export function assembleCluster<Node extends { close(): Promise<void> }, Context, Extra extends object>(
  nodes: readonly [Node, Node, Node],
  errors: readonly (readonly ReportedError<Context>[])[],
  extend: (track: (created: Node | Promise<Node>) => Promise<Node>) => Extra,
): NodeCluster<Node, Context> & Extra {
  const extra: Node[] = [];
  const track = async (created: Node | Promise<Node>): Promise<Node> => {
    const node = await created;
    extra.push(node);
    return node;
  };
  return {
    ...extend(track),
    nodes,
    errors,
    [Symbol.asyncDispose]: async () => {
      await Promise.all([...nodes, ...extra].map((node) => node.close()));
    },
  };
}

/** The password of the URLs below, which no error may show. */
const PASSWORD = 's3cr3t-pw';

/** A URL with credentials and a port nothing listens on. */
export const UNREACHABLE_REDIS_URL = `redis://alice:${PASSWORD}@127.0.0.1:1`;

/** URLs to refuse without echoing them: unparsable, another scheme, a database that is not a number. */
export const INVALID_REDIS_URLS = [
  `not a url ${PASSWORD}`,
  `http://alice:${PASSWORD}@localhost:6379`,
  `redis://alice:${PASSWORD}@localhost:6379/not-a-db`,
] as const;

/** A module's error class, e.g. `ChannelLayerError`. */
type ErrorClass = abstract new (...args: never[]) => Error;

/** Checks that `attempt` rejected with `errorClass` and code `unreachable`, naming the host of `UNREACHABLE_REDIS_URL` but never its password. */
export async function expectUnreachable(attempt: Promise<unknown>, errorClass: ErrorClass): Promise<void> {
  const error: unknown = await attempt.catch((e: unknown) => e);

  expect(error).toBeInstanceOf(errorClass);
  expect(error).toMatchObject({ code: 'unreachable' });
  expect((error as Error).message).toContain('127.0.0.1:1');
  expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
}

/** Checks that `attempt` rejected with `errorClass` and code `invalid-url`, without echoing the URL's password. */
export async function expectInvalidUrl(attempt: Promise<unknown>, errorClass: ErrorClass): Promise<void> {
  const error: unknown = await attempt.catch((e: unknown) => e);

  expect(error).toBeInstanceOf(errorClass);
  expect(error).toMatchObject({ code: 'invalid-url' });
  expect(inspect(error, { depth: 10 })).not.toContain(PASSWORD);
}
