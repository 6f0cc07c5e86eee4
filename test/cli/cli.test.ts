/**
 * The operator CLI as an operator runs it: the real bin in a child process, against a running
 * server over REST and directly against Postgres. Each run gets a clean environment, so nothing
 * of the test runner's (DATABASE_URL, ADMIN_TOKEN) leaks into the target choice.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRestClient } from '@switchboard/sdk';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '@switchboard/server/testing';
import { findActiveApiKeyByHash } from '@switchboard/server/testing';
import { hashSecret } from '@switchboard/server/testing';
import { createTestDatabase } from '../helpers/databases.ts';
import { createSharedBackend, startTestServer, TEST_ADMIN_TOKEN, TEST_REDIS_URL } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { http } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = 'server/bin/switchboard.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `switchboard ...args` with only `env` (and PATH) set; resolves whatever the exit status. */
function switchboard(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

function parseJson<T>(run: Run): T {
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as T;
}

const field = (text: string, label: string): string => {
  const value = new RegExp(`${label}\\s+(\\S+)`).exec(text)?.[1];
  if (value === undefined) throw new Error(`no "${label}" in:\n${text}`);
  return value;
};

type AppCreated = { id: string; name: string; apiKey: string; keyId: string };
type KeyCreated = { appId: string; id: string; prefix: string; apiKey: string };
type AppList = { items: { id: string; name: string; keys: { id: string; prefix: string }[] }[] };

describe('switchboard CLI against a running server', () => {
  it('creates an app whose key works, lists it, rotates its keys and deletes it', { timeout: deadline(60_000) }, async () => {
    await using server = await startTestServer({ backend: 'embedded' });
    const env = { SWITCHBOARD_URL: server.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    const rooms = (apiKey: string) => http(server, 'GET', '/v1/rooms', { headers: { 'API-Key': apiKey } });
    const runs: Run[] = [];
    const run = async (...args: string[]) => {
      const result = await switchboard(args, env);
      runs.push(result);
      return result;
    };

    const created = await run('apps', 'create', 'cli-app');
    expect(created, created.stderr).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/shown this once/);
    const appId = field(created.stdout, 'app id');
    const firstKeyId = field(created.stdout, 'key id');
    const firstKey = field(created.stdout, 'API key');
    expect((await rooms(firstKey)).status).toBe(200);

    const listed = await run('apps', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(appId);
    expect(listed.stdout).toContain(`${firstKey.slice(0, 9)}…`);
    expect(listed.stdout).not.toContain(firstKey);

    const rotated = parseJson<KeyCreated>(await run('apps', 'keys', 'create', appId, '--json'));
    expect(rotated).toMatchObject({ appId, prefix: rotated.apiKey.slice(0, 9) });
    expect((await rooms(rotated.apiKey)).status).toBe(200);

    expect((await run('apps', 'keys', 'revoke', appId, firstKeyId)).code).toBe(0);
    expect((await rooms(firstKey)).status).toBe(401);
    expect((await rooms(rotated.apiKey)).status).toBe(200);
    const list = parseJson<AppList>(await run('apps', 'list', '--json'));
    expect(list.items.find((app) => app.id === appId)?.keys.map((key) => key.id)).toContain(rotated.id);

    expect(parseJson(await run('apps', 'delete', appId, '--json'))).toEqual({ appId, deleted: true });
    expect((await rooms(rotated.apiKey)).status).toBe(401);
    expect(parseJson<AppList>(await run('apps', 'list', '--json')).items.map((app) => app.id)).not.toContain(appId);
    const again = await run('apps', 'delete', appId);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/^error: not_found: /);

    for (const { stdout, stderr } of runs) expect(stdout + stderr).not.toContain(TEST_ADMIN_TOKEN);
  });

  it("manages an app's rooms, endpoints and users with its API key, and rotates the key", { timeout: deadline(90_000) }, async () => {
    await using server = await startTestServer({ backend: 'embedded' });
    const operatorEnv = { SWITCHBOARD_URL: server.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    const app = parseJson<AppCreated>(await switchboard(['apps', 'create', 'ops-app', '--json'], operatorEnv));
    const env = { SWITCHBOARD_URL: server.url, SWITCHBOARD_API_KEY: app.apiKey };

    expect(
      parseJson(await switchboard(['rooms', 'create', 'support', '--title', 'Support', '--staff-only', 'true', '--json'], env)),
    ).toMatchObject({
      name: 'support',
      title: 'Support',
      staffOnly: true,
    });
    expect(parseJson(await switchboard(['rooms', 'update', 'support', '--staff-only', 'false', '--json'], env))).toMatchObject({
      staffOnly: false,
    });
    const rooms = await switchboard(['rooms', 'list'], env);
    expect(rooms.stdout).toMatch(/^name +title +staff only +history +last seq +created\n"support" +"Support" +no +yes +0 /);
    expect(await switchboard(['rooms', 'update', 'support'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/nothing to change/),
    });
    expect(await switchboard(['rooms', 'create', 'x', '--staff-only', 'maybe'], env)).toMatchObject({ code: 2 });

    const endpoint = parseJson<{ id: string; code: string; path: string }>(
      await switchboard(['endpoints', 'create', 'support', 'readwrite', '--identity', 'agent', '--json'], env),
    );
    await using socket = await openSocket(`${server.wsUrl}${endpoint.path}`);
    const endpoints = await switchboard(['endpoints', 'list', 'support'], env);
    expect(endpoints.stdout).toContain(endpoint.id);
    expect(endpoints.stdout).not.toContain(endpoint.code);
    expect(await switchboard(['endpoints', 'delete', 'support', endpoint.id], env)).toMatchObject({ code: 0 });
    expect((await socket.closed).code).toBe(4501);

    const user = parseJson<{ id: string; staff: boolean }>(
      await switchboard(['users', 'create', 'bob', '--staff', '--password-stdin', '--json'], env, 'bobs-long-password\n'),
    );
    expect(user.staff).toBe(true);
    const signIn = await http(server, 'POST', '/v1/auth/token', {
      body: JSON.stringify({ app: app.id, username: 'bob', password: 'bobs-long-password' }),
    });
    expect(signIn.status).toBe(200);
    const token = parseJson<{ accessToken: string; expiresIn: number }>(
      await switchboard(['users', 'token', user.id, '--expires-in', '120', '--json'], env),
    );
    expect(token.expiresIn).toBe(120);
    await using userSocket = await openSocket(`${server.wsUrl}/ws?token=${token.accessToken}`);
    await userSocket.next((f) => f.action === 'welcome');
    expect((await switchboard(['users', 'list'], env)).stdout).toMatch(/"bob" +yes/);
    expect(await switchboard(['users', 'delete', user.id], env)).toMatchObject({ code: 0 });
    expect(parseJson<{ items: unknown[] }>(await switchboard(['users', 'list', '--json'], env)).items).toEqual([]);
    expect(parseJson(await switchboard(['rooms', 'delete', 'support', '--json'], env))).toEqual({ room: 'support', deleted: true });

    // Rotation: a new key, shown once; the old one stops working at once.
    const rotated = await switchboard(['apps', 'keys', 'rotate', app.id, app.keyId], operatorEnv);
    expect(rotated, rotated.stderr).toMatchObject({ code: 0 });
    expect(rotated.stdout).toMatch(/shown this once/);
    const newKey = field(rotated.stdout, 'API key');
    expect(await switchboard(['rooms', 'list'], env)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: unauthenticated/) });
    expect(await switchboard(['rooms', 'list'], { ...env, SWITCHBOARD_API_KEY: newKey })).toMatchObject({ code: 0, stdout: 'No rooms.\n' });
    expect(await switchboard(['rooms', 'list'], { SWITCHBOARD_URL: server.url })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no API key/),
    });
  });

  it('fails with exit 1 and the catalog code on a wrong token, which it never echoes', { timeout: deadline(60_000) }, async () => {
    await using server = await startTestServer({ backend: 'embedded' });
    const wrong = 'not-the-operator-token-0123456789';
    const [fromEnv, fromFlag, asJson] = await Promise.all([
      switchboard(['apps', 'list'], { SWITCHBOARD_URL: server.url, ADMIN_TOKEN: wrong }),
      switchboard(['apps', 'create', 'x', '--url', server.url, '--admin-token', wrong]),
      switchboard(['apps', 'list', '--json'], { SWITCHBOARD_URL: server.url, ADMIN_TOKEN: wrong }),
    ]);
    for (const run of [fromEnv, fromFlag, asJson]) {
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).not.toContain(wrong);
    }
    expect(fromEnv.stderr).toMatch(/^error: unauthenticated: /);
    expect(fromFlag.stderr).toMatch(/^error: unauthenticated: /);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('rejects an invalid name with the same validation as the API', { timeout: deadline(60_000) }, async () => {
    await using server = await startTestServer({ backend: 'embedded' });
    const run = await switchboard(['apps', 'create', ''], { SWITCHBOARD_URL: server.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: validation_failed: .*\n {2}\/name: /);
  });
});

describe('switchboard CLI directly on the database', () => {
  it('creates and lists apps in Postgres without a server; the printed key is the stored one', { timeout: deadline(60_000) }, async () => {
    await using database = await createTestDatabase('postgres');
    const env = { DATABASE_URL: database.url! };
    const created = parseJson<AppCreated>(await switchboard(['apps', 'create', 'direct-app', '--json'], env));
    expect(created.name).toBe('direct-app');
    expect(await findActiveApiKeyByHash(database.db, hashSecret(created.apiKey))).toMatchObject({
      app: { id: created.id },
      key: { id: created.keyId },
    });

    const listed = await switchboard(['apps', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${created.id}  "direct-app"`);
    expect(listed.stdout).toContain(`key ${created.keyId}  ${created.apiKey.slice(0, 9)}…`);
    expect(listed.stdout).not.toContain(created.apiKey);

    const invalid = await switchboard(['apps', 'create', 'x'.repeat(101)], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: validation_failed: /);
  });

  it("creates, lists and deletes apps in a stopped server's embedded data folder", { timeout: deadline(90_000) }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sb-cli-'));
    try {
      await (await createDatabase({ dataDir })).close();
      const created = await switchboard(['apps', 'create', 'embedded-app', '--data-dir', dataDir]);
      expect(created, created.stderr).toMatchObject({ code: 0 });
      const appId = field(created.stdout, 'app id');
      expect(parseJson<AppList>(await switchboard(['apps', 'list', '--json'], { DATA_DIR: dataDir })).items).toMatchObject([
        { id: appId, name: 'embedded-app' },
      ]);
      expect(await switchboard(['apps', 'delete', appId], { DATA_DIR: dataDir })).toMatchObject({ code: 0, stderr: '' });
      const mistyped = await switchboard(['apps', 'list', '--data-dir', join(dataDir, 'typo')]);
      expect(mistyped).toMatchObject({ code: 2 });
      expect(mistyped.stderr).toMatch(/no embedded database in/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it(
    'deletes an app in Postgres and, through the shared Redis, closes its sockets on a running node',
    { timeout: deadline(60_000) },
    async () => {
      await using shared = await createSharedBackend();
      await using server = await startTestServer({ backend: 'postgres+redis', shared });
      const env = { DATABASE_URL: shared.databaseUrl, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: shared.redisPrefix };
      const app = parseJson<AppCreated>(await switchboard(['apps', 'create', 'doomed', '--json'], env));
      const rest = createRestClient({ baseUrl: server.url, apiKey: app.apiKey });
      await rest.rooms.create({ name: 'lobby' });
      const endpoint = await rest.endpoints.create('lobby', { permissions: 'readwrite' });
      await using socket = await openSocket(`${server.wsUrl}${endpoint.path}`);

      const deleted = await switchboard(['apps', 'delete', app.id], env);
      expect(deleted, deleted.stderr).toMatchObject({ code: 0, stderr: '' });
      expect((await socket.closed).code).toBe(4501);
      expect((await http(server, 'GET', '/v1/rooms', { headers: { 'API-Key': app.apiKey } })).status).toBe(401);
    },
  );
});

describe('switchboard CLI usage', () => {
  it('shows help on stdout with exit 0', { timeout: deadline(60_000) }, async () => {
    const [top, flag, command, group] = await Promise.all([
      switchboard(['help']),
      switchboard(['--help']),
      switchboard(['apps', 'keys', 'revoke', '--help']),
      switchboard(['help', 'apps', 'keys']),
    ]);
    for (const run of [top, flag, command, group]) expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(top.stdout).toBe(flag.stdout);
    expect(top.stdout).toContain('apps create <name>');
    expect(top.stdout).toMatch(/--admin-token[\s\S]*`ps`/);
    expect(top.stdout).toMatch(/--data-dir[\s\S]*Stop the server first/);
    expect(command.stdout).toMatch(/^Usage: switchboard apps keys revoke <appId> <keyId> \[options\]/);
    expect(group.stdout).toContain('apps keys create <appId>');
    expect(group.stdout).not.toContain('apps delete <appId>');
  });

  it.each([
    [[], /missing command/],
    [['apps'], /'apps' needs a subcommand/],
    [['apps', 'frob'], /unknown command 'apps frob'/],
    [['apps', 'create'], /missing argument <name>[\s\S]*Usage: switchboard apps create <name>/],
    [['apps', 'keys', 'revoke', 'a1'], /missing argument <keyId>/],
    [['apps', 'list', 'extra'], /unexpected argument 'extra'/],
    [['apps', 'list', '--nope'], /Unknown option '--nope'/],
    [['apps', 'list', '--url', 'http://127.0.0.1:1', '--data-dir', 'x'], /not both/],
    [['apps', 'list', '--url', 'ftp://127.0.0.1'], /must be an http/],
    [['help', 'frob'], /no help for 'frob'/],
  ])('exits 2 with a message on stderr for %j', { timeout: deadline(30_000) }, async (args, message) => {
    const run = await switchboard(args, { ADMIN_TOKEN: TEST_ADMIN_TOKEN });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/^switchboard: /);
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 without an operator token, and never prints a database URL it refuses', { timeout: deadline(30_000) }, async () => {
    const secretUrl = 'mysql://root:hunter2-password@db.internal/app';
    const [noToken, badUrl] = await Promise.all([
      switchboard(['apps', 'list']),
      switchboard(['apps', 'list'], { DATABASE_URL: secretUrl }),
    ]);
    expect(noToken).toMatchObject({ code: 2 });
    expect(noToken.stderr).toMatch(/no operator token: set ADMIN_TOKEN/);
    expect(badUrl).toMatchObject({ code: 2 });
    expect(badUrl.stderr).toMatch(/must be a postgres:\/\/ URL/);
    expect(badUrl.stderr).not.toContain('hunter2');
  });
});
