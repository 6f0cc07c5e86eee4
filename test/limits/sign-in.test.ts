/**
 * Sign-in protection that cannot be turned against a user (issue 14): guessing is refused per
 * address and per (username, address), and only slowed per username, so an attacker cannot lock
 * the real user out, clients behind a trusted proxy each have their own allowance, and spraying
 * one username from many addresses is slowed.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@switchboard/server';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestApp, http, type TestApp } from '../helpers/tenancy.ts';

const PER_PAIR = 5;
const PER_ACCOUNT = 10;
const MAX_DELAY_MS = 400;

/** Log lines the servers wrote, to count the slowed attempts (the delay is the server's, not visible on the wire). */
function collectLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), slowed: () => lines.filter((l) => l.includes('sign-in slowed')).length };
}

describe.each(backends)('sign-in protection on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  const log = collectLog();
  beforeAll(async () => {
    server = await startTestServer({
      backend,
      logger: log.logger,
      config: {
        trustProxy: ['loopback'],
        signInPerAccountAddress: PER_PAIR,
        signInPerAccount: PER_ACCOUNT,
        signInMaxDelayMs: MAX_DELAY_MS,
      },
    });
    app = await createTestApp(server, 'sign-in');
  });
  afterAll(() => server?.close());

  const signIn = (username: string, password: string, address: string) =>
    http(server, 'POST', '/v1/auth/token', {
      headers: { 'x-forwarded-for': address },
      body: JSON.stringify({ app: app.id, username, password }),
    });

  it('does not let an attacker lock the real user out', async () => {
    await app.rest.users.create({ username: 'bob', password: 'bob-real-password' });
    const attacker = [];
    for (let i = 0; i < 3 * PER_PAIR; i++) attacker.push((await signIn('bob', `guess-${i}`, '198.51.100.66')).status);
    // The attacker's own address is refused for bob past its allowance, with a retry hint.
    expect(attacker.slice(0, PER_PAIR).every((s) => s === 401)).toBe(true);
    expect(attacker.slice(PER_PAIR).every((s) => s === 429)).toBe(true);
    const refused = await signIn('bob', 'bob-real-password', '198.51.100.66');
    expect(refused.body?.error).toMatchObject({ code: 'rate_limited', details: { scope: 'account_address' } });
    // Bob, from his own address, gets in.
    const bob = await signIn('bob', 'bob-real-password', '198.51.100.1');
    expect(bob.status).toBe(200);
  });

  it('lets 12 users behind a trusted proxy sign in with their passwords', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `office-${i}`);
    for (const name of names) await app.rest.users.create({ username: name, password: `${name}-password` });
    const statuses = await Promise.all(names.map((name, i) => signIn(name, `${name}-password`, `10.1.0.${i + 1}`).then((r) => r.status)));
    expect(statuses).toEqual(names.map(() => 200));
    // Even from one address (a NAT behind the proxy), twelve good sign-ins fit its allowance.
    const together = await Promise.all(names.map((name) => signIn(name, `${name}-password`, '10.2.0.1').then((r) => r.status)));
    expect(together).toEqual(names.map(() => 200));
  });

  it('slows 150 attempts spread over 30 addresses, and the real user still gets in', async () => {
    await app.rest.users.create({ username: 'carol', password: 'carol-real-password' });
    const before = log.slowed();
    const spray = await Promise.all(
      Array.from({ length: 30 }, async (_, a) => {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await signIn('carol', `spray-${a}-${i}`, `203.0.113.${a + 1}`)).status);
        return statuses;
      }),
    );
    const all = spray.flat();
    expect(all).toHaveLength(150);
    expect(all.every((s) => s === 401 || s === 429)).toBe(true);
    // All but the username's first allowance were slowed (each by up to MAX_DELAY_MS).
    const slowed = log.slowed() - before;
    expect(slowed + all.filter((s) => s === 429).length).toBeGreaterThanOrEqual(150 - PER_ACCOUNT);
    // Carol, from an address of her own, is slowed but never refused.
    const carol = await signIn('carol', 'carol-real-password', '198.51.100.2');
    expect(carol.status).toBe(200);
  });

  it('lets one slowed guess per username wait at once, and never holds back an address the user signed in from', async () => {
    const held = collectLog();
    await using strict = await startTestServer({
      backend,
      logger: held.logger,
      config: { trustProxy: ['loopback'], signInPerAccount: 1, signInSlowedPerAccount: 1, signInMaxDelayMs: 2000 },
    });
    const own = await createTestApp(strict, 'parallel');
    await own.rest.users.create({ username: 'dave', password: 'dave-real-password' });
    const attempt = (password: string, address: string) =>
      http(strict, 'POST', '/v1/auth/token', {
        headers: { 'x-forwarded-for': address },
        body: JSON.stringify({ app: own.id, username: 'dave', password }),
      });
    // Dave signs in from home: that address is known for dave from now on.
    expect((await attempt('dave-real-password', '198.51.100.20')).status).toBe(200);
    // A burst of guesses from twenty addresses: one waits, the rest are refused at once, and every
    // one counts, so the next guess waits the longest delay.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`guess-${i}`, `203.0.113.${100 + i}`)));
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.body?.error).toMatchObject({ code: 'rate_limited', details: { scope: 'account' } });
    expect(burst.filter((r) => r.status !== 429).every((r) => r.status === 401)).toBe(true);

    const before = held.slowed();
    const waiting = attempt('guess-next', '203.0.113.200');
    await expect.poll(() => held.slowed()).toBe(before + 1);
    // While it waits (two seconds), another guess is refused, with a retry hint...
    const second = await fetch(`${strict.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.201' },
      body: JSON.stringify({ app: own.id, username: 'dave', password: 'guess-again' }),
    });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await second.json()).toMatchObject({ error: { details: { scope: 'account' } } });
    // ...and dave from home gets in at once, neither slowed nor refused.
    expect((await attempt('dave-real-password', '198.51.100.20')).status).toBe(200);
    expect(held.slowed()).toBe(before + 1);
    expect((await waiting).status).toBe(401);
  });

  it('refuses an address past SIGN_IN_PER_ADDRESS whatever the usernames, with Retry-After', async () => {
    await using strict = await startTestServer({ backend, config: { trustProxy: ['loopback'], signInPerAddress: 4 } });
    const own = await createTestApp(strict, 'strict');
    const attempt = (i: number, address: string) =>
      fetch(`${strict.url}/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ app: own.id, username: `nobody-${i}`, password: 'wrong-password' }),
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt(i, '198.51.100.9')).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    const refused = await attempt(5, '198.51.100.9');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', details: { scope: 'address' } } });
    expect((await attempt(6, '198.51.100.10')).status).toBe(401);
  });
});
