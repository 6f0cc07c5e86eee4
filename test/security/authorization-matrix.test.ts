/**
 * The authorization matrix, derived from the specs so that a new route or action cannot escape
 * it: every REST operation × every wrong credential (none, garbage, the other scheme's secret, a
 * revoked key, a deleted app's key, a user's token, an expired token), every app route × another
 * app's key (the same answer as for something that does not exist), every socket action ×
 * anonymous, another app's user and a non-staff user on a staff room, and the endpoint socket ×
 * garbage, revoked, rotated and expired codes. Everything is refused, and "absent" and "not
 * yours" answer byte for byte alike.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sign } from 'hono/jwt';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../scripts/codegen/model.ts';
import { createInvalidInputs } from '../helpers/invalid-inputs.ts';
import { deadline } from '../helpers/deadline.ts';
import { createLogScan } from '../helpers/log-scan.ts';
import { backends, startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { closedOnOpen, openSocket, refusedUpgradeBody } from '../helpers/socket.ts';
import { createTestApp, createTestUser, http, operator, type TestApp, type TestUser } from '../helpers/tenancy.ts';

const JWT_SECRET = 'matrix-signing-secret-0123456789abcdefghij';
const model = await loadModel();
const inputs = createInvalidInputs(model.defs);
/** A valid body or payload of a schema, for the matrix to reach the ownership check (an expiry sample would be in the past). */
const validSample = (schema: Parameters<typeof inputs.base>[0] | undefined): Record<string, unknown> => {
  if (!schema) return {};
  const { expiresAt: _, ...rest } = inputs.base(schema) as Record<string, unknown>;
  return rest;
};
const scan = createLogScan();
const openapi = parse(await readFile(fileURLToPath(new URL('../../specs/openapi.yaml', import.meta.url)), 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string; security?: Record<string, unknown>[] }>>;
};
const METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/** Every operation of the REST spec with the scheme it requires (undefined: public). */
const routes = Object.entries(openapi.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, op]) => ({ path, method, operationId: op.operationId!, scheme: op.security?.[0] && Object.keys(op.security[0])[0] })),
);
/** Figures for the README: how many refusals each part checked. */
const figures = { restRefusals: 0, notYours: 0, socketRefusals: 0, codes: 0 };

describe('the matrix covers the specs', () => {
  it('lists every REST operation and every socket action of the model', () => {
    expect(routes.map((r) => r.operationId).sort()).toEqual(model.restOperations.map((op) => op.operationId).sort());
    expect(
      routes
        .filter((r) => r.scheme === undefined)
        .map((r) => r.operationId)
        .sort(),
    ).toEqual(['getHealth', 'getReadiness', 'signIn']);
  });
});

describe.each(backends)('authorization matrix on %s', (backend) => {
  let server: TestServer;
  let mine: TestApp;
  let theirs: TestApp;
  let me: TestUser;
  let them: TestUser;
  const bad: Record<string, Record<string, string>> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      logger: scan.logger,
      config: { jwtSecret: JWT_SECRET, framesPerSecond: 10_000, frameBurst: 10_000, metricsToken: METRICS_TOKEN },
    });
    mine = await createTestApp(server, 'mine');
    theirs = await createTestApp(server, 'theirs');
    await mine.rest.rooms.create({ name: 'room-1' });
    await mine.rest.rooms.create({ name: 'staff-room', staffOnly: true });
    const endpoint = await mine.rest.endpoints.create('room-1', { permissions: 'readwrite' });
    me = await createTestUser(mine, 'me-user');
    them = await createTestUser(theirs, 'them-user');
    const key = await operator(server).apps.createKey(mine.id);
    const revoked = await operator(server).apps.createKey(mine.id);
    await operator(server).apps.revokeKey(mine.id, revoked.id);
    const doomed = await createTestApp(server, 'doomed');
    await operator(server).apps.delete(doomed.id);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ sub: me.id, app: mine.id, iat: now - 120, exp: now - 60 }, JWT_SECRET, 'HS256');
    Object.assign(ids, { appId: mine.id, keyId: key.id, room: 'room-1', endpointId: endpoint.id, userId: me.id });
    scan.remember(
      mine.apiKey,
      theirs.apiKey,
      key.apiKey,
      revoked.apiKey,
      doomed.apiKey,
      me.token,
      them.token,
      expired,
      endpoint.code,
      TEST_ADMIN_TOKEN,
    );
    scan.remember('me-user-password', 'them-user-password');
    // Every way of being wrong, per scheme; each must get that scheme's one refusal.
    bad.apiKey = {
      none: '',
      garbage: `sk_${'A'.repeat(43)}`,
      'operator token': TEST_ADMIN_TOKEN,
      'revoked key': revoked.apiKey,
      "deleted app's key": doomed.apiKey,
      "a user's token": me.token,
      'expired token': expired,
      'key with a byte changed': `${mine.apiKey.slice(0, -1)}${mine.apiKey.endsWith('A') ? 'B' : 'A'}`,
    };
    // /metrics is open unless METRICS_TOKEN is set; this server sets one, so it is a protected route too.
    bad.metricsToken = {
      none: '',
      garbage: 'not-the-metrics-token-0123456789',
      'operator token': TEST_ADMIN_TOKEN,
      "an app's key": mine.apiKey,
      'token with a byte changed': `${METRICS_TOKEN.slice(0, -1)}x`,
    };
    bad.adminToken = {
      none: '',
      garbage: 'not-the-operator-token-0123456789',
      "an app's key": mine.apiKey,
      "a user's token": me.token,
      'token with a byte changed': `${TEST_ADMIN_TOKEN.slice(0, -1)}x`,
    };
  });

  afterAll(async () => {
    await server?.close();
    console.log(`authorization matrix figures on ${backend}: ${JSON.stringify(figures)}`);
  });

  const pathOf = (path: string, values: Record<string, string>) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
  const header = (scheme: string, secret: string): Record<string, string> =>
    secret === '' ? {} : scheme === 'apiKey' ? { 'API-Key': secret } : { Authorization: `Bearer ${secret}` };

  it('refuses every protected operation with every wrong credential, with one answer per scheme', async () => {
    for (const route of routes.filter((r) => r.scheme !== undefined)) {
      const answers = new Map<string, string>();
      for (const [kind, secret] of Object.entries(bad[route.scheme!]!)) {
        const response = await http(server, route.method.toUpperCase(), pathOf(route.path, ids), {
          headers: header(route.scheme!, secret),
          body: route.method === 'get' ? undefined : '{}',
        });
        expect(response.status, `${route.operationId} with ${kind}`).toBe(401);
        answers.set(kind, JSON.stringify(response.body));
        figures.restRefusals++;
      }
      // Whatever is wrong with a credential that was sent, the answer is the same (a missing one may say what to send).
      const sent = [...answers].filter(([kind]) => kind !== 'none').map(([, body]) => body);
      expect(new Set(sent).size, `${route.operationId}: ${JSON.stringify([...answers])}`).toBe(1);
      expect(JSON.parse(answers.get('none')!)).toMatchObject({ error: { code: 'unauthenticated' } });
    }
  });

  it("answers another app's resources exactly as resources that do not exist", async () => {
    const absent = {
      room: 'no-such-room',
      endpointId: '00000000-0000-4000-8000-000000000000',
      userId: '00000000-0000-4000-8000-000000000001',
    };
    const sample: Record<string, string> = { room: 'room-1', endpointId: ids.endpointId!, userId: ids.userId! };
    for (const route of routes.filter((r) => r.scheme === 'apiKey' && /\{(room|endpointId|userId)\}/.test(r.path))) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      // Each path parameter in turn names a resource of mine (the others: absent), asked with their key.
      for (const name of names) {
        const asked = { ...absent, [name]: sample[name]! };
        const call = (values: Record<string, string>) =>
          http(server, route.method.toUpperCase(), pathOf(route.path, values), {
            headers: { 'API-Key': theirs.apiKey },
            body:
              route.method === 'get'
                ? undefined
                : JSON.stringify(validSample(model.restOperations.find((op) => op.operationId === route.operationId)?.requestBody)),
          });
        // The answer may echo the name asked for; apart from it, the two must be identical.
        const masked = (r: { status: number; body: unknown }, value: string) => ({
          status: r.status,
          body: JSON.stringify(r.body).replaceAll(value, '<asked>'),
        });
        const notYours = masked(await call(asked), sample[name]!);
        const missing = masked(await call(absent), absent[name as keyof typeof absent]);
        expect(notYours.status, `${route.operationId} on my ${name}`).toBe(404);
        expect(notYours, `${route.operationId} on my ${name}`).toEqual(missing);
        figures.notYours++;
      }
    }
    // Their operator calls on my app need the operator token: an app key never reaches /v1/apps.
    const signIn = (app: string, username: string, password: string) =>
      http(server, 'POST', '/v1/auth/token', { body: JSON.stringify({ app, username, password }) });
    const crossApp = await signIn(theirs.id, 'me-user', 'me-user-password');
    expect(crossApp.status).toBe(401);
    expect(crossApp).toEqual(await signIn(theirs.id, 'nobody-here', 'me-user-password'));
    expect(await signIn(mine.id, 'me-user', 'wrong-password')).toEqual(crossApp);
  });

  it('refuses every non-public socket action to an anonymous socket', async () => {
    await using anonymous = await openSocket(`${server.wsUrl}/ws`);
    const user = model.channels.find((c) => c.id === 'user')!;
    for (const action of user.actions.filter((a) => !a.public)) {
      const answer = await anonymous.request(action.name, { room: 'room-1', text: 'x', id: 'x', seq: 1, kind: 'quote', token: 'x' });
      expect(answer.error?.code, action.name).toBe('unauthenticated');
      figures.socketRefusals++;
    }
  });

  it("closes /ws opened with a garbage, expired or deleted user's token, and refuses authorize with them", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ sub: me.id, app: mine.id, iat: now - 120, exp: now - 60 }, JWT_SECRET, 'HS256');
    const ghost = await createTestUser(mine, 'ghost-user');
    await mine.rest.users.delete(ghost.id);
    const forged = await sign({ sub: me.id, app: mine.id, iat: now, exp: now + 600 }, 'another-secret-0123456789abcdefghijkl', 'HS256');
    expect((await closedOnOpen(`${server.wsUrl}/ws?token=garbage`)).code).toBe(4501);
    expect((await closedOnOpen(`${server.wsUrl}/ws?token=${forged}`)).code).toBe(4501);
    expect((await closedOnOpen(`${server.wsUrl}/ws?token=${ghost.token}`)).code).toBe(4501);
    expect((await closedOnOpen(`${server.wsUrl}/ws?token=${expired}`)).code).toBe(4003);
    await using anonymous = await openSocket(`${server.wsUrl}/ws`);
    for (const token of ['garbage', forged, ghost.token, expired, mine.apiKey]) {
      expect((await anonymous.request('authorize', { token })).error?.code).toBe('unauthenticated');
      figures.socketRefusals++;
    }
  });

  it("answers another app's room and a staff room as refusals, and another app's exactly as a missing room", async () => {
    await using theirSocket = await openSocket(`${server.wsUrl}/ws?token=${them.token}`);
    await using mySocket = await openSocket(`${server.wsUrl}/ws?token=${me.token}`);
    const user = model.channels.find((c) => c.id === 'user')!;
    const properties = (schema: unknown): string[] => {
      const node = schema as { $ref?: string; properties?: object };
      if (node.$ref) return properties(model.defs[node.$ref.replace('#/$defs/', '')]);
      return Object.keys(node.properties ?? {});
    };
    const roomActions = user.actions.filter((a) => properties(a.input).includes('room'));
    expect(roomActions.map((a) => a.name)).toEqual(expect.arrayContaining(['chat.join', 'chat.send', 'chat.history']));
    for (const action of roomActions) {
      const payload = (room: string) => ({ ...validSample(action.input), room });
      const notYours = await theirSocket.request(action.name, payload('room-1'));
      const missing = await theirSocket.request(action.name, payload('no-such-room'));
      expect(notYours.error, `${action.name} on another app's room`).toBeDefined();
      const mask = (frame: object, asked: string) => JSON.stringify({ ...frame, ref: 0 }).replaceAll(asked, '<asked>');
      expect(mask(notYours, 'room-1'), action.name).toBe(mask(missing, 'no-such-room'));
      const staff = await mySocket.request(action.name, payload('staff-room'));
      expect(staff.error?.code, `${action.name} on a staff room as non-staff`).toMatch(/^(forbidden|not_joined|not_found)$/);
      figures.socketRefusals += 2;
    }
  });

  it('refuses the endpoint socket to garbage, revoked, rotated and expired codes with one answer', async () => {
    await mine.rest.rooms.create({ name: 'codes' });
    const revoked = await mine.rest.endpoints.create('codes', { permissions: 'read' });
    await mine.rest.endpoints.delete('codes', revoked.id);
    const rotated = await mine.rest.endpoints.create('codes', { permissions: 'read' });
    // Used before the rotation, so this node has the old code cached: rotation must drop it.
    const beforeRotation = await openSocket(`${server.wsUrl}${rotated.path}`);
    const fresh = await http(server, 'POST', `/v1/rooms/codes/endpoints/${rotated.id}/rotate`, {
      headers: { 'API-Key': mine.apiKey },
      body: '{}',
    });
    expect((await beforeRotation.closed).code).toBe(4501);
    const expiring = await mine.rest.endpoints.create('codes', {
      permissions: 'read',
      expiresAt: new Date(Date.now() + deadline(1_000)).toISOString(),
    });
    await using doomed = await openSocket(`${server.wsUrl}${expiring.path}`);
    await doomed.closed;
    scan.remember(revoked.code, rotated.code, expiring.code, fresh.body?.code as string);
    const garbage = await refusedUpgradeBody(`${server.wsUrl}/ws/endpoint/${'z'.repeat(43)}`);
    expect(garbage.status).toBe(401);
    for (const code of [revoked.code, rotated.code, expiring.code, '%00', 'x'.repeat(500)]) {
      const answer = await refusedUpgradeBody(`${server.wsUrl}/ws/endpoint/${code}`);
      expect(answer, `code ${code.slice(0, 12)}`).toEqual(garbage);
      figures.codes++;
    }
    // A read-only endpoint may not send.
    await using reader = await openSocket(`${server.wsUrl}/ws/endpoint/${fresh.body?.code as string}`);
    expect((await reader.request('message.send', { data: 'x' })).error?.code).toBe('forbidden');
  });
});
