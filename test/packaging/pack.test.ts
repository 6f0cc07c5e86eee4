/**
 * The three published packages as a new user gets them: built, packed with `npm pack`, linted
 * (publint, arethetypeswrong), installed from the tarballs into fresh projects outside the
 * workspace, and used from every kind of program a user writes; each joins a room of a live
 * server. The server package is installed with `--omit=dev` and started with plain `node`.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline } from '../helpers/deadline.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createProcessContractTap } from '../helpers/process-tap.ts';
import { createTestApp, createTestUser, http, type TestApp } from '../helpers/tenancy.ts';
import { consumerFiles, ROOM } from './consumer.ts';
import {
  cleanEnv,
  npmInstall,
  packages,
  packWorkspace,
  root,
  run,
  start,
  tempDir,
  waitForOutput,
  workspaceVersion,
  writeFiles,
} from './workspace.ts';

// Installs and builds take minutes on a busy machine; each step below is bounded by its own timeout.
const SETUP_MS = deadline(420_000);
const STEP_MS = deadline(120_000);

let dirs: string[] = [];
let tarballs: Awaited<ReturnType<typeof packWorkspace>>;
let consumer: string;
let serverProject: string;
let server: TestServer;
let app: TestApp;
let users = 0;

/** Arguments of the JavaScript programs: where to connect, the app's key and a fresh username. */
const programArgs = () => [server.url, server.wsUrl, app.apiKey, `user-${++users}`];

/** Parses the one JSON line a consumer program prints. */
function result(stdout: string): { joined: boolean; lastSeq: number } & Record<string, unknown> {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { joined: boolean; lastSeq: number } & Record<string, unknown>;
}

beforeAll(async () => {
  const packDir = await tempDir('pack');
  consumer = await tempDir('consumer');
  serverProject = await tempDir('server');
  dirs = [packDir, consumer, serverProject];
  tarballs = await packWorkspace(packDir);
  server = await startTestServer({ backend: 'embedded' });
  app = await createTestApp(server, 'packaging');
  await app.rest.rooms.create({ name: ROOM, title: 'Support' });
  await writeFiles(
    consumer,
    consumerFiles({
      sdk: tarballs.sdk,
      protocol: tarballs.generated,
      typescript: await workspaceVersion('typescript'),
      vite: await workspaceVersion('vite'),
      typesNode: await workspaceVersion('@types/node'),
    }),
  );
  await writeFiles(serverProject, {
    'package.json': `${JSON.stringify(
      {
        name: 'switchboard-deployment',
        private: true,
        scripts: { start: 'switchboard-server' },
        dependencies: {
          '@switchboard/server': `file:${tarballs.server}`,
          '@switchboard/protocol': `file:${tarballs.generated}`,
          '@switchboard/sdk': `file:${tarballs.sdk}`,
        },
      },
      null,
      2,
    )}\n`,
  });
  await Promise.all([npmInstall(consumer), npmInstall(serverProject, ['--omit=dev'])]);
}, SETUP_MS);

afterAll(async () => {
  await server?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the packed tarballs', () => {
  for (const folder of Object.keys(packages) as (keyof typeof packages)[]) {
    it(`${packages[folder]}: publint reports nothing`, async () => {
      const tarball = await readFile(tarballs[folder]);
      const { messages, pkg } = await publint({ pack: { tarball: new Uint8Array(tarball).buffer }, level: 'suggestion', strict: true });
      expect(messages.map((m) => formatMessage(m, pkg) ?? m.code)).toEqual([]);
    });

    it(
      `${packages[folder]}: arethetypeswrong finds no problem (ES modules only; require through Node's require(esm))`,
      { timeout: STEP_MS },
      async () => {
        const attw = join(root, 'node_modules/.bin/attw');
        // attw exits non-zero on any problem the profile does not ignore (run() then rejects).
        const { stdout } = await run(attw, [tarballs[folder], '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'], {
          cwd: root,
        });
        expect(stdout).toContain('node16 (from ESM): OK (ESM)');
        expect(stdout).not.toMatch(/node16 \(from ESM\): (?!OK)|bundler: (?!OK)/);
      },
    );
  }

  it('ship compiled JavaScript and declarations, never the tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarballs.generated], { cwd: root });
    expect(stdout).toContain('package/dist/validators/inbound.js');
    expect(stdout).toContain('package/dist/index.d.ts');
    expect(stdout).toContain('package/CHANGELOG.md');
    const server = await run('tar', ['-tzf', tarballs.server], { cwd: root });
    expect(server.stdout).toContain('package/dist/main.js');
    expect(server.stdout).not.toMatch(/\.test\.(ts|js)/);
  });
});

describe('a consumer project with the SDK installed from its tarball', () => {
  it('plain Node ESM JavaScript joins a room', { timeout: STEP_MS }, async () => {
    const { stdout } = await run('node', ['esm.mjs', ...programArgs()], { cwd: consumer });
    expect(result(stdout)).toMatchObject({ joined: true, lastSeq: expect.any(Number), catalog: expect.any(Number) });
  });

  it.runIf(process.features.require_module)('CommonJS require joins a room (Node 20.19+, 22.12+)', { timeout: STEP_MS }, async () => {
    const { stdout } = await run('node', ['cjs.cjs', ...programArgs()], { cwd: consumer });
    expect(result(stdout)).toMatchObject({ joined: true, lastSeq: expect.any(Number) });
  });

  it(
    'strict TypeScript with node16 resolution compiles the README snippet and a typed program, which run',
    { timeout: STEP_MS },
    async () => {
      await run('npx', ['tsc', '-p', 'tsconfig.node16.json'], { cwd: consumer });
      const readme = await run('node', ['build/readme.js'], {
        cwd: consumer,
        env: cleanEnv({ BASE_URL: server.url, WS_URL: server.wsUrl, API_KEY: app.apiKey }),
      });
      expect(result(readme.stdout)).toMatchObject({ joined: true, lastSeq: expect.any(Number) });
      // The snippet sent "hello" to the room: the server has it.
      const history = await http(server, 'GET', `/v1/rooms/${ROOM}/messages?after=0&limit=50`, { headers: { 'API-Key': app.apiKey } });
      expect(JSON.stringify(history.body)).toContain('"hello"');
      const typed = await run('node', ['typed-main.mjs', ...programArgs()], { cwd: consumer });
      expect(result(typed.stdout)).toMatchObject({ joined: true, hasReplyValidators: true });
    },
  );

  it('strict TypeScript with bundler resolution and browser libraries type-checks', { timeout: STEP_MS }, async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.bundler.json'], { cwd: consumer });
  });

  it(
    'a Vite browser build leaves ws out, stays small, and its bundles join a room over the WHATWG WebSocket',
    { timeout: STEP_MS },
    async () => {
      await run('npx', ['vite', 'build'], { cwd: consumer });
      const out = join(consumer, 'dist-browser');
      const files = await readdir(out);
      expect(files).toEqual(expect.arrayContaining(['small.js', 'validated.js']));
      for (const file of files.filter((f) => f.endsWith('.js'))) {
        const code = await readFile(join(out, file), 'utf8');
        // Neither Node's ws nor a CommonJS require call may reach a browser bundle (ajv keeps a
        // "require(...)" string for its own code generation: a quoted one is fine).
        expect(code, file).not.toMatch(/(^|[^"'\w.])require\(|from\s*["'](ws|node:[^"']*)["']/m);
      }
      const small = gzipSync(await readFile(join(out, 'small.js')), { level: 9 }).length;
      // createClient + chat.join: 5.0 KB gzipped when measured; socket.io-client is 13.1 KB.
      expect(small).toBeLessThan(6_500);
      for (const bundle of ['small.js', 'validated.js']) {
        const user = await createTestUser(app, `browser-${++users}`);
        // Node 20 has the browser's WebSocket behind a flag (on by default from Node 22).
        const { stdout } = await run(
          'node',
          ['--experimental-websocket', '--no-warnings', 'run-bundle.mjs', join(out, bundle), `${server.wsUrl}/ws`, user.token, ROOM],
          { cwd: consumer },
        );
        expect(result(stdout), bundle).toMatchObject({ joined: true, lastSeq: expect.any(Number) });
      }
    },
  );
});

describe('the server package installed with --omit=dev', () => {
  it('has no tsx and no dev dependency, and its CLI runs', { timeout: STEP_MS }, async () => {
    const installed = await readdir(join(serverProject, 'node_modules'));
    expect(installed).not.toContain('tsx');
    expect(installed).not.toContain('typescript');
    const { stdout } = await run('npx', ['--no-install', 'switchboard', 'help'], { cwd: serverProject });
    expect(stdout).toContain('Usage: switchboard');
  });

  it('`npm start` serves on embedded defaults, answers /healthz, and closes when npm gets SIGTERM', { timeout: STEP_MS }, async () => {
    const dataDir = await tempDir('data');
    dirs.push(dataDir);
    // The script is `switchboard-server`, not `exec switchboard-server`: npm's SIGTERM reaches
    // only the shell, and the server must still go.
    // The contract tap rides in through NODE_OPTIONS (npm starts node); the installed package is plain JavaScript.
    const contract = createProcessContractTap();
    const npm = start('npm', ['start'], {
      cwd: serverProject,
      env: cleanEnv({ PORT: '0', DATA_DIR: dataDir, NODE_OPTIONS: contract.nodeOptions, ...contract.env }),
    });
    let late: string[] = [];
    try {
      const [, url] = await waitForOutput(npm, /REST\s+(http:\/\/127\.0\.0\.1:\d+)/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect((await fetch(`${url}/v1/apps`)).status).toBe(401);
      expect(contract.activeProcesses(), 'the contract tap inside the installed server saw its responses').toBe(1);
      npm.process.kill('SIGTERM');
      await npm.exited;
      // The server inherited npm's output pipes: they close when it, too, has ended.
      await npm.closed;
      expect(npm.output()).toMatch(/(SIGTERM|parent exited): closing/);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      npm.process.kill('SIGKILL');
      late = contract.release();
    }
    expect(late, 'the installed server broke its specs').toEqual([]);
  });
});
