/**
 * Regression: a database outage during sign-in is `unavailable` (503), never a wrong password.
 * The sign-in read used to swallow the database error and answer `unauthenticated` (401). The
 * server's database is dropped under it, so every new connection the pool opens fails for real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../helpers/databases.ts';
import { createSharedBackend, startTestServer, type SharedBackend, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, http, type TestApp } from '../helpers/tenancy.ts';

describe('sign-in while the database is down', () => {
  let shared: SharedBackend;
  let server: TestServer;
  let app: TestApp;
  beforeAll(async () => {
    shared = await createSharedBackend();
    server = await startTestServer({ backend: 'postgres+redis', shared });
    app = await createTestApp(server, 'outage');
    await createTestUser(app, 'olga');
  });
  afterAll(async () => {
    await server?.close();
    await shared?.close();
  });

  it('answers 503 unavailable, not 401', async () => {
    const signIn = () =>
      http(server, 'POST', '/v1/auth/token', { body: JSON.stringify({ app: app.id, username: 'olga', password: 'olga-password' }) });
    expect((await signIn()).status).toBe(200);
    const name = decodeURIComponent(new URL(shared.databaseUrl).pathname.slice(1));
    // Terminates the server's connections and removes the database: reconnecting fails too.
    await admin(`drop database "${name}" with (force)`);
    expect(await signIn()).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
  });
});
