/**
 * The CLI covers the REST API: every operation in specs/openapi.yaml has a command (or a reason
 * in EXCLUDED why an operator never needs one), and every command that calls the API is run here
 * against a live server, on both backends, its effect checked on the wire. The commands run in
 * this process through `runCli` (the same run as the bin's, with the environment passed in);
 * cli.test.ts runs the bin itself.
 */
import { restResponseValidators } from '@switchboard/protocol/validators';
import { commandNames, commandSpecs, parseArguments, runCli } from '@switchboard/server/testing';
import { describe, expect, it } from 'vitest';
import { parseJson, type CliRun } from '../helpers/cli.ts';
import { deadline } from '../helpers/deadline.ts';
import { backends, startTestServer, TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

/** Operations with no command, each with why. */
const EXCLUDED: Readonly<Record<string, string>> = {
  getHealth: "a load balancer's liveness probe: curl /healthz (docs/deploy.md)",
  getReadiness: "a load balancer's readiness probe: curl /readyz (docs/deploy.md)",
  getMetrics: "Prometheus scrapes it; it is not an operator's action",
  signIn: "a user's own sign-in with their password; an operator mints tokens instead (users token, tokens create)",
};

const operations = Object.keys(restResponseValidators);
const served = new Set(commandNames.flatMap((name) => commandSpecs[name].operations));

describe('the CLI covers every REST operation', () => {
  it('maps each operation to a command, or names why not', () => {
    const missing = operations.filter((op) => !served.has(op as never) && !Object.hasOwn(EXCLUDED, op));
    expect(missing, 'operations without a CLI command (add one, or a reasoned EXCLUDED line)').toEqual([]);
    expect(
      Object.keys(EXCLUDED).filter((op) => served.has(op as never) || !operations.includes(op)),
      'stale exclusions',
    ).toEqual([]);
    for (const name of commandNames) {
      const { needs, operations: ops } = commandSpecs[name];
      expect(ops.length === 0, `${name}: only database commands call no operation`).toBe(needs === 'database');
    }
  });
});

type User = {
  id: string;
  username: string;
  displayName: string | null;
  staff: boolean;
  hasPassword: boolean;
  tokensValidAfter: string | null;
};
type Page = { items: { seq: number; data?: unknown; sender: { type: string; identity: string } }[]; next?: number };
type Endpoint = { id: string; code: string; path: string; expiresAt?: string };

describe.each(backends)('every API command against a running server (%s)', (backend) => {
  it('runs, checked on the wire', { timeout: deadline(60_000) }, async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'cli-tour');
    const ran = new Set<string>();
    const switchboard = async (args: string[], env: Record<string, string>, input?: string): Promise<CliRun> => {
      try {
        const invocation = parseArguments(args);
        if (invocation.kind === 'run') ran.add(invocation.command.kind);
      } catch {
        // Bad usage on purpose: runCli answers it with exit 2 below.
      }
      // In-process (the bin around it is cli.test.ts's): the same run, without a node start per command.
      let stdout = '';
      let stderr = '';
      const io = {
        stdout: (t: string) => void (stdout += t),
        stderr: (t: string) => void (stderr += t),
        readStdin: async () => input ?? '',
      };
      const code = await runCli(args, env, io);
      return { code, stdout, stderr };
    };
    const operatorEnv = { SWITCHBOARD_URL: server.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    const env = { SWITCHBOARD_URL: server.url, SWITCHBOARD_API_KEY: app.apiKey };
    const json = async <T>(args: string[], input?: string) => parseJson<T>(await switchboard([...args, '--json'], env, input));

    // The operator's commands (cli.test.ts checks their effects in detail).
    const other = parseJson<{ id: string; keyId: string }>(await switchboard(['apps', 'create', 'other', '--json'], operatorEnv));
    expect((await switchboard(['apps', 'list'], operatorEnv)).stdout).toContain(other.id);
    const key = parseJson<{ id: string }>(await switchboard(['apps', 'keys', 'create', other.id, '--json'], operatorEnv));
    expect(await switchboard(['apps', 'keys', 'rotate', other.id, other.keyId], operatorEnv)).toMatchObject({ code: 0 });
    expect(await switchboard(['apps', 'keys', 'revoke', other.id, key.id], operatorEnv)).toMatchObject({ code: 0 });
    expect(await switchboard(['apps', 'delete', other.id], operatorEnv)).toMatchObject({ code: 0 });

    // Rooms and their members.
    await json(['rooms', 'create', 'ops', '--title', 'Ops']);
    expect(await json(['rooms', 'update', 'ops', '--title', 'Operations'])).toMatchObject({ title: 'Operations' });
    expect(await json(['rooms', 'get', 'ops'])).toMatchObject({ name: 'ops', title: 'Operations' });
    expect((await json<{ items: unknown[] }>(['rooms', 'list'])).items).toHaveLength(1);
    const ada = await json<User>(['users', 'create', 'ada', '--password-stdin'], 'first-long-password\n');
    const adaToken = await json<{ accessToken: string }>(['users', 'token', ada.id]);
    await using adaSocket = await openSocket(`${server.wsUrl}/ws?token=${adaToken.accessToken}`);
    expect(await adaSocket.request('chat.join', { room: 'ops' })).toMatchObject({ payload: { room: { name: 'ops' } } });
    expect(await json(['rooms', 'members', 'ops'])).toEqual({ items: [{ id: ada.id, username: 'ada', staff: false }] });
    expect((await switchboard(['rooms', 'members', 'ops'], env)).stdout).toMatch(/^id +username +staff\n\S+ +"ada" +no\n$/);

    // Notifications to a room and to a user, with level and data.
    expect(await json(['rooms', 'notify', 'ops', 'Deploy at noon', '--level', 'warning', '--data', '{"at":"12:00"}'])).toEqual({
      status: 'sent',
    });
    expect(await adaSocket.next((f) => f.action === 'notification')).toMatchObject({
      payload: { message: 'Deploy at noon', level: 'warning', data: { at: '12:00' } },
    });
    expect(await json(['users', 'notify', ada.id, 'Your export is ready'])).toEqual({ status: 'sent' });
    expect(await adaSocket.next((f) => f.action === 'notification')).toMatchObject({
      payload: { message: 'Your export is ready', level: 'info' },
    });
    expect(await switchboard(['users', 'notify', ada.id, 'x', '--level', 'loud'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: validation_failed: [\s\S]*\/level/),
    });

    // Endpoints: an expiring code, then a rotation that closes the old code's sockets.
    const endpoint = await json<Endpoint>(['endpoints', 'create', 'ops', 'readwrite', '--identity', 'bot', '--expires-in', '3600']);
    const expiresIn = Date.parse(endpoint.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(3_500_000);
    expect(expiresIn).toBeLessThanOrEqual(3_600_000);
    await using oldSocket = await openSocket(`${server.wsUrl}${endpoint.path}`);
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const rotated = await json<Endpoint>(['endpoints', 'rotate', 'ops', endpoint.id, '--expires-at', later]);
    expect(rotated).toMatchObject({ id: endpoint.id, expiresAt: later });
    expect(rotated.code).not.toBe(endpoint.code);
    expect((await oldSocket.closed).code).toBe(4501);
    expect((await http(server, 'GET', endpoint.path)).status).not.toBe(101);
    const forever = await json<Endpoint>(['endpoints', 'rotate', 'ops', endpoint.id]);
    expect(forever.expiresAt).toBeUndefined();
    expect((await switchboard(['endpoints', 'list', 'ops'], env)).stdout).toMatch(/"bot" +0 +never/);
    await using botSocket = await openSocket(`${server.wsUrl}${forever.path}`);

    // Messages: published by the backend, read by the endpoint, paged back from history.
    for (const n of [1, 2, 3]) {
      expect(await json(['messages', 'publish', 'ops', JSON.stringify({ n }), '--identity', 'ci'])).toMatchObject({ seq: n, data: { n } });
    }
    expect(await json(['messages', 'publish', 'ops', '-'], '{"n":4}')).toMatchObject({
      seq: 4,
      sender: { type: 'app', identity: 'cli-tour' },
    });
    expect(await botSocket.next((f) => f.action === 'message' && (f.payload as { seq: number }).seq === 4)).toBeDefined();
    const first = await json<Page>(['messages', 'list', 'ops', '--limit', '3']);
    expect(first.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(first.next).toBe(3);
    expect(await switchboard(['messages', 'list', 'ops', '--limit', '3'], env)).toMatchObject({
      stdout: expect.stringMatching(
        /^seq +sender +created +content\n1 +app:"ci" +\S+ +\{"n":1\}\n[\s\S]*More: switchboard messages list ops --after 3 --limit 3\n$/,
      ),
    });
    expect((await json<Page>(['messages', 'list', 'ops', '--after', '3'])).items.map((m) => m.seq)).toEqual([4]);
    const all = await json<Page>(['messages', 'list', 'ops', '--limit', '1', '--all']);
    expect(all).toEqual({ items: expect.any(Array) });
    expect(all.items.map((m) => m.seq)).toEqual([1, 2, 3, 4]);

    // Job kinds: declared (from an argument and from stdin), listed, read, refused when invalid, deleted.
    const declaration = { paramsSchema: { type: 'object' }, resultSchema: { type: 'object' }, concurrency: 2 };
    expect(await json(['kinds', 'put', 'report', JSON.stringify(declaration)])).toMatchObject({ name: 'report', concurrency: 2 });
    expect(await json(['kinds', 'put', 'export', '-'], JSON.stringify({ ...declaration, defaultTimeoutMs: 5000 }))).toMatchObject({
      name: 'export',
      defaultTimeoutMs: 5000,
    });
    expect((await json<{ kinds: { name: string }[] }>(['kinds', 'list'])).kinds.map((k) => k.name).sort()).toEqual(['export', 'report']);
    expect(await json(['kinds', 'get', 'report'])).toMatchObject({ paramsSchema: { type: 'object' } });
    expect((await switchboard(['kinds', 'list'], env)).stdout).toMatch(/^name +concurrency +default timeout +updated\n/);
    expect(await switchboard(['kinds', 'put', 'bad', '{"paramsSchema":{"type":"nope"},"resultSchema":{}}'], env)).toMatchObject({
      code: 1,
    });
    expect(await json(['kinds', 'delete', 'export'])).toEqual({ kind: 'export', deleted: true });
    expect(await switchboard(['kinds', 'get', 'export'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('not_found') });

    // Users: read, change, reset the password, sign out everywhere.
    expect(await json<User>(['users', 'get', ada.id])).toMatchObject({
      username: 'ada',
      staff: false,
      displayName: null,
      hasPassword: true,
    });
    expect(await json<User>(['users', 'update', ada.id, '--staff', '--display-name', 'Ada L.'])).toMatchObject({
      staff: true,
      displayName: 'Ada L.',
    });
    const signIn = (password: string) =>
      http(server, 'POST', '/v1/auth/token', { body: JSON.stringify({ app: app.id, username: 'ada', password }) });
    await json(['users', 'update', ada.id, '--password-stdin'], 'second-long-password\n');
    expect((await signIn('first-long-password')).status).toBe(401);
    expect((await signIn('second-long-password')).status).toBe(200);
    expect(await json<User>(['users', 'update', ada.id, '--no-staff', '--no-display-name', '--no-password'])).toMatchObject({
      staff: false,
      displayName: null,
      hasPassword: false,
    });
    expect((await signIn('second-long-password')).status).toBe(401);
    const revoked = await json<User>(['users', 'revoke-tokens', ada.id]);
    expect(revoked.tokensValidAfter).not.toBeNull();
    expect((await adaSocket.closed).code).toBe(4501);
    expect(await switchboard(['users', 'update', ada.id, '--staff', '--no-staff'], env)).toMatchObject({ code: 2 });

    // An app-signed token: the app's own user, no Switchboard user created.
    const appToken = await json<{ accessToken: string; user: { id: string; username: string; staff: boolean } }>([
      'tokens',
      'create',
      '42',
      'grace',
      '--staff',
      '--expires-in',
      '600',
    ]);
    expect(appToken.user).toEqual({ id: 'ext:42', username: 'grace', staff: true });
    await using graceSocket = await openSocket(`${server.wsUrl}/ws?token=${appToken.accessToken}`);
    expect(await graceSocket.next((f) => f.action === 'welcome')).toMatchObject({ payload: { user: { id: 'ext:42', staff: true } } });
    expect((await json<{ items: User[] }>(['users', 'list'])).items.map((u) => u.username)).toEqual(['ada']);

    // Removal.
    expect(await json(['endpoints', 'delete', 'ops', endpoint.id])).toMatchObject({ deleted: true });
    expect(await json(['users', 'delete', ada.id])).toMatchObject({ deleted: true });
    expect(await json(['rooms', 'delete', 'ops'])).toMatchObject({ deleted: true });

    const apiCommands = commandNames.filter((name) => commandSpecs[name].needs !== 'database');
    expect(
      apiCommands.filter((name) => !ran.has(name)),
      'API commands this tour never ran',
    ).toEqual([]);
  });
});
