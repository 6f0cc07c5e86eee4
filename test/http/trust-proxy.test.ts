/**
 * `TRUST_PROXY`: behind a trusted proxy each client address has its own sign-in allowance, and a
 * forwarded address from an untrusted peer counts for nothing (the peer's own address is used).
 */
import { describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

/** Sign-in attempts a client address may make per minute (`SIGN_IN_PER_ADDRESS`, set low here). */
const PER_MINUTE = 10;

async function exhaust(server: TestServer, app: string, forwardedFor: string) {
  const statuses: number[] = [];
  for (let i = 0; i <= PER_MINUTE; i++) {
    // A different username each time: only the address allowance can run out.
    const body = JSON.stringify({ app, username: `nobody-${forwardedFor}-${i}`, password: 'wrong-password' });
    statuses.push((await http(server, 'POST', '/v1/auth/token', { headers: { 'x-forwarded-for': forwardedFor }, body })).status);
  }
  return statuses;
}

describe.each(backends)('TRUST_PROXY on %s', (backend) => {
  it('gives each forwarded client its own allowance when the proxy is trusted', async () => {
    await using server = await startTestServer({ backend, config: { trustProxy: ['loopback'], signInPerAddress: PER_MINUTE } });
    const app = await createTestApp(server, 'proxied');
    const first = await exhaust(server, app.id, '198.51.100.1');
    expect(first.slice(0, PER_MINUTE).every((s) => s === 401)).toBe(true);
    expect(first[PER_MINUTE]).toBe(429);
    // Another client behind the same proxy is not held to the first one's allowance.
    expect((await exhaust(server, app.id, '198.51.100.2'))[0]).toBe(401);
  });

  it('ignores X-Forwarded-For from a peer it does not trust', async () => {
    await using server = await startTestServer({ backend, config: { trustProxy: [], signInPerAddress: PER_MINUTE } });
    const app = await createTestApp(server, 'direct');
    expect((await exhaust(server, app.id, '198.51.100.1'))[PER_MINUTE]).toBe(429);
    // A new forged address does not buy a new allowance: the peer (127.0.0.1) is the client.
    expect((await exhaust(server, app.id, '198.51.100.2'))[0]).toBe(429);
  });
});
