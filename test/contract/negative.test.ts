/**
 * Every input the specs forbid is refused with `validation_failed` naming the offending path:
 * for every action of every socket and every REST operation with a body, invalid inputs are
 * generated from its schema (test/helpers/invalid-inputs.ts) and sent over a real socket or a
 * real HTTP request to a real server, on both backends. Dropping a payload validator anywhere
 * (e.g. for `chat.send` or `message.send`) fails a case here.
 */
import { errorCatalog } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type ActionModel, type RestOperationModel } from '../../scripts/codegen/model.ts';
import { createInvalidInputs, type InvalidCase } from '../helpers/invalid-inputs.ts';
import { backends, startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, http, type TestApp } from '../helpers/tenancy.ts';

const model = await loadModel();
const inputs = createInvalidInputs(model.defs);

interface SocketCases {
  channel: string;
  action: ActionModel;
  cases: InvalidCase[];
}
const socketCases: SocketCases[] = model.channels.flatMap((channel) =>
  channel.actions.map((action) => ({ channel: channel.id, action, cases: inputs.cases(action.input) })),
);
const restCases = model.restOperations
  .filter((op): op is RestOperationModel & { requestBody: NonNullable<RestOperationModel['requestBody']> } => op.requestBody !== undefined)
  .map((op) => ({ op, cases: inputs.cases(op.requestBody) }));

/** How many invalid inputs this suite sends per backend. */
const negativeCaseCount = [...socketCases, ...restCases].reduce((sum, group) => sum + group.cases.length, 0);

describe(`the ${negativeCaseCount} generated invalid inputs (per backend)`, () => {
  it('cover every action and every operation with a body, several cases each', () => {
    for (const { channel, action, cases } of socketCases) expect(cases.length, `${channel} ${action.name}`).toBeGreaterThan(0);
    for (const { op, cases } of restCases) expect(cases.length, op.operationId).toBeGreaterThan(1);
    expect(restCases.length).toBe(model.restOperations.filter((op) => op.requestBody).length);
    expect(negativeCaseCount).toBeGreaterThan(150);
  });
});

type Answer = { code?: string; issues: { path: string; message: string }[] };

function expectNamed(answer: Answer, invalid: InvalidCase, what: string): void {
  const paths = answer.issues.map((issue) => issue.path);
  expect(
    { code: answer.code, names: paths.includes(invalid.path) },
    `${what} ${invalid.name} answered ${answer.code} with paths ${JSON.stringify(paths)}`,
  ).toEqual({
    code: 'validation_failed',
    names: true,
  });
}

describe.each(backends)('invalid inputs on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  let userId: string;
  let sockets: Record<string, TestSocket>;

  beforeAll(async () => {
    // Hundreds of commands in a row: the rate limit is not what this suite is about.
    server = await startTestServer({ backend, config: { framesPerSecond: 100_000, frameBurst: 100_000 } });
    app = await createTestApp(server, 'negative');
    await app.rest.rooms.create({ name: 'room-1' });
    const endpoint = await app.rest.endpoints.create('room-1', { permissions: 'readwrite', identity: 'negative' });
    const user = await createTestUser(app, 'negative-user');
    userId = user.id;
    sockets = {
      user: await openSocket(`${server.wsUrl}/ws?token=${user.token}`),
      endpoint: await openSocket(`${server.wsUrl}${endpoint.path}`),
      worker: await openSocket(`${server.wsUrl}/ws/worker`, { headers: { 'API-Key': app.apiKey } }),
    };
  });

  afterAll(async () => {
    for (const socket of Object.values(sockets ?? {})) await socket.close();
    await server?.close();
  });

  it.each(socketCases.map((group) => [`${group.channel} ${group.action.name}`, group] as const))(
    '%s: every invalid payload is validation_failed at its path',
    async (_, group) => {
      const socket = sockets[group.channel]!;
      for (const invalid of group.cases) {
        const answer = await socket.request(group.action.name, invalid.value);
        expect(answer.action, `${group.action.name} ${invalid.name}`).toBe(group.action.name);
        const details = answer.error?.details as { issues?: Answer['issues'] } | undefined;
        expectNamed({ code: answer.error?.code, issues: details?.issues ?? [] }, invalid, group.action.name);
      }
    },
  );

  it.each(restCases.map((group) => [group.op.operationId, group] as const))(
    '%s: every invalid body is validation_failed at its path',
    async (_, { op, cases }) => {
      const path = op.path.replace('{room}', 'room-1').replace('{userId}', userId);
      const headers: Record<string, string> = op.path.startsWith('/v1/apps')
        ? { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
        : { 'API-Key': app.apiKey };
      for (const invalid of cases) {
        const response = await http(server, op.method.toUpperCase(), path, { headers, body: JSON.stringify(invalid.value) });
        const details = response.body?.error?.details as { issues?: Answer['issues'] } | undefined;
        expect(response.status, `${op.operationId} ${invalid.name}`).toBe(errorCatalog.validation_failed.status);
        expectNamed({ code: response.body?.error?.code, issues: details?.issues ?? [] }, invalid, op.operationId);
      }
    },
  );
});
