/**
 * Drives a real server with the specs' examples: each REST operation with its request example
 * (path parameters and ids swapped for the resources the earlier examples created), then each
 * socket command with its example, and checks that every answer has its example's shape: the
 * declared success status, and the same top-level keys as the response example (the tap
 * validates the body against the schema on top).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { openSocket, type Frame, type TestSocket } from '../helpers/socket.ts';
import { messageExamples, operationExamples, specs, type OperationExamples } from './spec-examples.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const keysOf = (value: unknown) => (isObject(value) ? Object.keys(value).sort() : []);

/** The example's ids, swapped for the real ones as the examples create resources. */
class Ids {
  readonly #real = new Map<string, string>();
  set(example: unknown, real: unknown): void {
    if (typeof example === 'string' && typeof real === 'string') this.#real.set(example, real);
  }
  swap<T>(value: T): T {
    return JSON.parse(JSON.stringify(value ?? null), (_key, v: Json) => (typeof v === 'string' ? (this.#real.get(v) ?? v) : v)) as T;
  }
}

/** The creating operations teach `Ids` what their example's ids stand for. */
function learn(ids: Ids, op: OperationExamples, body: unknown): void {
  const example = op.responses.get(op.success);
  if (!isObject(example) || !isObject(body)) return;
  for (const field of ['id', 'keyId', 'apiKey', 'code', 'path', 'accessToken']) ids.set(example[field], body[field]);
}

/**
 * Non-deleting operations in spec order (on one path, a `put` before the rest: it creates what a
 * `get` of the path reads), then the deleting ones in reverse, so each has what it needs.
 */
function runOrder(ops: OperationExamples[]): OperationExamples[] {
  const paths = [...new Set(ops.map((o) => o.path))];
  const place = (o: OperationExamples) => paths.indexOf(o.path) * 2 + (o.method === 'put' ? 0 : 1);
  const building = ops.filter((o) => o.method !== 'delete').sort((x, y) => place(x) - place(y));
  return [...building, ...ops.filter((o) => o.method === 'delete').reverse()];
}

describe.each(backends)('the specs examples against a server on %s', (backend) => {
  let server: TestServer;
  const ids = new Ids();
  const ops = runOrder(operationExamples());
  const deletes = ops.filter((o) => o.method === 'delete');
  const exampleApiKey = String(
    (
      operationExamples()
        .find((o) => o.operationId === 'createApp')
        ?.responses.get('201') as { apiKey?: string }
    ).apiKey,
  );

  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(async () => server?.close());

  async function call(op: OperationExamples): Promise<{ status: number; body: unknown }> {
    let path = op.path;
    for (const [name, example] of op.parameters) path = path.replace(`{${name}}`, encodeURIComponent(ids.swap(example)));
    const headers: Record<string, string> = {};
    if (op.security === 'adminToken') headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
    if (op.security === 'apiKey') headers['api-key'] = ids.swap(exampleApiKey);
    if (op.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server.url}${path}`, {
      method: op.method.toUpperCase(),
      headers,
      body: op.body === undefined ? undefined : JSON.stringify(ids.swap(op.body)),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') ?? false;
    return { status: response.status, body: text === '' ? undefined : json ? (JSON.parse(text) as unknown) : text };
  }

  async function expectExampleShape(op: OperationExamples): Promise<void> {
    const { status, body } = await call(op);
    expect(`${op.operationId} ${status}`, JSON.stringify(body)).toBe(`${op.operationId} ${op.success}`);
    const example = op.responses.get(op.success);
    if (example === undefined) expect(body).toBeUndefined();
    else expect(keysOf(body), `${op.operationId}: the keys of its ${op.success} example`).toEqual(keysOf(example));
    learn(ids, op, body);
  }

  it.each(ops.filter((o) => o.method !== 'delete').map((o) => [o.operationId, o] as const))(
    '%s answers its request example in the shape of its response example',
    async (_, op) => {
      await expectExampleShape(op);
    },
  );

  describe('socket commands', () => {
    const messages = messageExamples();
    const example = (channel: string, role: 'command' | 'reply', name: string) =>
      messages.find((m) => m.channel === channel && m.role === role && m.name === name)?.payloads[0];
    const eventExamples = (channel: string, name: string) =>
      messages.filter((m) => m.channel === channel && m.role === 'event' && m.name === name).flatMap((m) => m.payloads);
    const actions = (channel: string) => {
      const names = messages.filter((m) => m.channel === channel && m.role === 'command').map((m) => m.name);
      // Leaving goes last: every other chat action needs the room joined.
      return [...names.filter((n) => n !== 'chat.leave'), ...names.filter((n) => n === 'chat.leave')];
    };

    /** Every event a socket received has the keys of one of its examples. */
    function expectEventShapes(channel: string, frames: Frame[]): void {
      for (const frame of frames.filter((f) => f.ref === undefined && f.action !== 'error')) {
        const shapes = eventExamples(channel, frame.action).map(keysOf);
        expect(shapes, `${channel} event ${frame.action} ${JSON.stringify(frame.payload)}`).toContainEqual(keysOf(frame.payload));
      }
    }

    async function run(socket: TestSocket, channel: string, name: string): Promise<void> {
      const reply = await socket.request(name, ids.swap(example(channel, 'command', name)));
      expect(reply.error, `${channel} ${name}`).toBeUndefined();
      const shape = example(channel, 'reply', name);
      expect(keysOf(reply.payload), `${channel} ${name}: the keys of its reply example`).toEqual(keysOf(shape));
      if (isObject(shape) && isObject(reply.payload)) ids.set(shape.id, reply.payload.id);
    }

    it.each(actions('user'))('user socket: %s answers its example in the shape of its reply example', async (name) => {
      if (name === 'authorize' || name === 'ping') {
        // Public actions run on a fresh anonymous socket, as a client would first send them.
        await using socket = await openSocket(`${server.wsUrl}/ws`);
        await run(socket, 'user', name);
        return;
      }
      await using socket = await openSocket(`${server.wsUrl}/ws`);
      await run(socket, 'user', 'authorize');
      await socket.next((f) => f.action === 'welcome', 'welcome');
      if (name.startsWith('chat.') && name !== 'chat.join') await run(socket, 'user', 'chat.join');
      // A job is killed while it runs: the example job starts on the same socket first.
      if (name === 'job.kill') await run(socket, 'user', 'job.start');
      await run(socket, 'user', name);
      expectEventShapes('user', socket.frames);
    });

    it.each(actions('endpoint'))('endpoint socket: %s answers its example in the shape of its reply example', async (name) => {
      const created = operationExamples()
        .find((o) => o.operationId === 'createEndpoint')
        ?.responses.get('201') as { path: string };
      await using socket = await openSocket(`${server.wsUrl}${ids.swap(created.path)}`);
      await run(socket, 'endpoint', name);
      expectEventShapes('endpoint', socket.frames);
    });
  });

  it.each(deletes.map((o) => [o.operationId, o] as const))('%s answers its request example with its declared status', async (_, op) => {
    await expectExampleShape(op);
  });

  it('drove every REST operation and every socket command', () => {
    const declared = Object.values(specs.openapi.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((item) =>
      Object.values(item).flatMap((op) => (typeof op.operationId === 'string' ? [op.operationId] : [])),
    );
    expect(ops.map((o) => o.operationId).sort()).toEqual(declared.sort());
  });
});
