/**
 * The deployment guide, run: Debian's nginx with the guide's own site file (docs/deploy/nginx.conf,
 * only its host name, ports and certificate paths swapped) terminates TLS in front of two nodes
 * on one Postgres and one Redis. Sign-in over https, sockets over wss:// landing on different
 * nodes, a message from one to the other, and the client address seen through TRUST_PROXY.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline } from '../helpers/deadline.ts';
import { freePort, ownChild, waitForLine } from '../helpers/processes.ts';
import {
  backends,
  createSharedBackend,
  startTestServer,
  TEST_ADMIN_TOKEN,
  type SharedBackend,
  type TestServer,
} from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';

const guide = new URL('../../docs/deploy/nginx.conf', import.meta.url);

/** The guide's text with `from` replaced by `to`; fails if the guide no longer says `from`. */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from))
    throw new Error(`docs/deploy/nginx.conf no longer contains ${JSON.stringify(from)}: update this test with the guide`);
  return text.replaceAll(from, to);
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe.runIf(backends.includes('postgres+redis'))('the deployment guide behind nginx', () => {
  let dir: string;
  let ca: string;
  let origin: string;
  let shared: SharedBackend;
  const nodes: TestServer[] = [];
  let nginx: ReturnType<typeof spawn> | undefined;

  /** One https request through the proxy, trusting only the test's certificate, from `localAddress`. */
  const https = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, localAddress = '127.0.0.1') =>
    new Promise<Answer>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${origin}${path}`,
        { method, ca, localAddress, headers: { ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...headers } },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: data === '' ? {} : (JSON.parse(data) as Record<string, unknown>) }),
          );
        },
      );
      req.on('error', reject);
      req.end(text);
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-nginx-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    ca = await readFile(cert, 'utf8');

    shared = await createSharedBackend();
    // The proxy connects from loopback: trusted, so X-Forwarded-For names the client.
    for (let i = 0; i < 2; i++)
      nodes.push(await startTestServer({ backend: 'postgres+redis', shared, config: { trustProxy: ['loopback'], signInPerAddress: 10 } }));
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    let site = await readFile(guide, 'utf8');
    site = swap(site, 'server 127.0.0.1:8080', `server ${new URL(nodes[0]!.url).host}`);
    site = swap(site, 'server 127.0.0.1:8081', `server ${new URL(nodes[1]!.url).host}`);
    site = swap(site, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`);
    site = swap(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
    site = swap(site, '/etc/letsencrypt/live/chat.example.com/fullchain.pem', cert);
    site = swap(site, '/etc/letsencrypt/live/chat.example.com/privkey.pem', key);
    site = swap(site, 'server_name chat.example.com;', 'server_name 127.0.0.1;');
    await writeFile(join(dir, 'site.conf'), site);
    // What Debian's /etc/nginx/nginx.conf provides around a site, with every path in the folder.
    await writeFile(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid;
error_log stderr notice;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
    );
    origin = `https://127.0.0.1:${httpsPort}`;
    nginx = ownChild(
      spawn(
        existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx',
        ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    // Listening sockets are open before the master starts its worker, which it logs at notice.
    await waitForLine(nginx, /start worker process/, 'nginx');
  }, deadline(120_000));

  afterAll(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    for (const node of nodes) await node.close();
    await shared?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(
    'signs in over https and carries a message over wss:// from a client on one node to one on the other',
    { timeout: deadline(60_000) },
    async () => {
      expect((await https('GET', '/healthz')).status).toBe(200);
      expect((await https('GET', '/readyz')).status).toBe(200);
      const app = await https('POST', '/v1/apps', { name: 'behind-nginx' }, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
      expect(app.status).toBe(201);
      const apiKey = { 'API-Key': String(app.body.apiKey) };
      expect((await https('POST', '/v1/rooms', { name: 'lobby' }, apiKey)).status).toBe(201);
      const tokens: string[] = [];
      for (const username of ['alice', 'bob']) {
        expect((await https('POST', '/v1/users', { username, password: `${username}-long-password` }, apiKey)).status).toBe(201);
        const signIn = await https('POST', '/v1/auth/token', { app: app.body.id, username, password: `${username}-long-password` });
        expect(signIn.status).toBe(200);
        tokens.push(String(signIn.body.accessToken));
      }

      // Which node greeted each socket: least_conn sends the second to the node without the first.
      const greeted: number[] = [];
      const stop = nodes.map((node, index) =>
        node.onFrame((_route, frame) => {
          if (frame.includes('"action":"welcome"')) greeted.push(index);
        }),
      );
      try {
        const wss = origin.replace('https:', 'wss:');
        await using alice = await openSocket(`${wss}/ws?token=${tokens[0]}`, { ca });
        await alice.next((f) => f.action === 'welcome');
        await using bob = await openSocket(`${wss}/ws?token=${tokens[1]}`, { ca });
        await bob.next((f) => f.action === 'welcome');
        expect(greeted.sort()).toEqual([0, 1]);

        expect((await alice.request('chat.join', { room: 'lobby' })).error).toBeUndefined();
        expect((await bob.request('chat.join', { room: 'lobby' })).error).toBeUndefined();
        expect((await alice.request('chat.send', { room: 'lobby', text: 'across nodes' })).error).toBeUndefined();
        const message = await bob.next((f) => f.action === 'chat.message');
        expect(message.payload).toMatchObject({ room: 'lobby', text: 'across nodes', sender: { type: 'user', identity: 'alice' } });
      } finally {
        for (const unsubscribe of stop) unsubscribe();
      }
    },
  );

  it('gives each client address behind the proxy its own sign-in allowance (TRUST_PROXY)', { timeout: deadline(60_000) }, async () => {
    const app = await https('POST', '/v1/apps', { name: 'limits' }, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    const attempt = (from: string, i: number) =>
      https('POST', '/v1/auth/token', { app: app.body.id, username: `nobody-${i}`, password: 'wrong-password' }, {}, from);
    // 10 attempts per address per minute, counted for both nodes through Redis: 12 from one address exhaust it.
    const first: number[] = [];
    for (let i = 0; i < 12; i++) first.push((await attempt('127.0.0.3', i)).status);
    expect(first).toContain(429);
    // Another address behind the same proxy has its own allowance on both nodes.
    expect([(await attempt('127.0.0.4', 100)).status, (await attempt('127.0.0.4', 101)).status]).toEqual([401, 401]);
  });
});
