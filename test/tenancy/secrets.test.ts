/**
 * Secrets are shown once and kept only as hashes: no API key, endpoint code or operator token
 * appears in clear in the database or in the logs, even at trace level.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createLogger } from '@switchboard/server';
import { openSocket } from '../helpers/socket.ts';
import { backends, startTestServer, TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { createTestApp, operator } from '../helpers/tenancy.ts';

describe.each(backends)('secrets on %s', (backend) => {
  it('never stores or logs a key, a code or the operator token in clear', async () => {
    let logs = '';
    const destination = new Writable({ write: (chunk, _enc, done) => ((logs += String(chunk)), done()) });
    await using server = await startTestServer({ backend, logger: createLogger({ level: 'trace', destination }) });
    const app = await createTestApp(server, 'secretive');
    const rotated = await operator(server).apps.createKey(app.id);
    await app.rest.rooms.create({ name: 'vault' });
    const endpoint = await app.rest.endpoints.create('vault', { permissions: 'readwrite' });
    await using socket = await openSocket(`${server.wsUrl}${endpoint.path}`);
    await socket.request('message.send', { data: 'hello' });
    await fetch(`${server.url}/v1/rooms`, { headers: { 'API-Key': `${app.apiKey}x` } });

    const secrets = [app.apiKey, rotated.apiKey, endpoint.code, TEST_ADMIN_TOKEN];
    const tables = ['apps', 'api_keys', 'rooms', 'endpoints', 'users', 'messages'];
    const dump = JSON.stringify(await Promise.all(tables.map((t) => sql.raw(`select * from ${t}`).execute(server.db))));
    expect(dump).toContain(app.id);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(logs).toContain('socket');
  });
});
