/**
 * Browsers on other origins, in real Chromium: a page on a foreign origin can neither open `/ws`
 * (closed with 4503 before any frame, although the socket would carry a valid token) nor call
 * REST (the CORS preflight is refused); an origin listed in ALLOWED_ORIGINS can do both.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from './helpers.ts';
import { deadline } from '../helpers/deadline.ts';

// A browser test drives a whole page: its test and hook timeouts, stretched by the one knob like every wait.
vi.setConfig({ testTimeout: deadline(90_000), hookTimeout: deadline(120_000) });

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let demo: NonNullable<TestServer['demo']>;
const elsewhere: Server[] = [];
let foreignOrigin: string;
let allowedOrigin: string;

/**
 * Serves a blank page on another port of 127.0.0.1: another origin, still on loopback (Chromium
 * blocks pages on other address spaces from reaching a loopback server at all, which would prove
 * nothing about the server's own checks).
 */
async function serveElsewhere(): Promise<string> {
  const site = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title><p>a page elsewhere</p>'),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  elsewhere.push(site);
  return `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  foreignOrigin = await serveElsewhere();
  allowedOrigin = await serveElsewhere();
  server = await startTestServer({ backend: 'embedded', config: { demo: 'auto', allowedOrigins: [allowedOrigin] } });
  if (!server.demo) throw new Error('the demo was not seeded');
  demo = server.demo;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const site of elsewhere) site.close();
});

/** Opens the blank page of `origin`, from which the test tries the server's sign-in and socket. */
async function pageOn(origin: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  return page;
}

interface Attempt {
  signIn: string;
  socket: { code: number; frames: number };
}

async function attempt(page: Page, password: string): Promise<Attempt> {
  return page.evaluate(
    async ({ url, wsUrl, app, password }) => {
      const signIn = await fetch(`${url}/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app, username: 'bob', password }),
      }).then(
        (response) => `status ${response.status}`,
        (error: unknown) => `refused: ${String(error)}`,
      );
      const socket = await new Promise<{ code: number; frames: number }>((resolve) => {
        let frames = 0;
        const ws = new WebSocket(`${wsUrl}/ws`);
        ws.onmessage = () => {
          frames++;
          if (frames === 1) ws.close(1000);
        };
        ws.onclose = (event) => resolve({ code: event.code, frames });
      });
      return { signIn, socket };
    },
    { url: server.url, wsUrl: server.wsUrl, app: demo.appId, password },
  );
}

describe('browsers on other origins', () => {
  it('refuses a page on a foreign origin: the socket closes with 4503 before any frame, the sign-in preflight fails', async () => {
    const bob = demo.users.find((u) => u.username === 'bob');
    if (!bob) throw new Error('no bob');
    const page = await pageOn(foreignOrigin);
    expect(await attempt(page, bob.password)).toEqual({
      signIn: expect.stringContaining('refused: TypeError'),
      socket: { code: 4503, frames: 0 },
    });
    await page.context().close();
  });

  it('lets an origin of ALLOWED_ORIGINS sign in and open the socket', async () => {
    const bob = demo.users.find((u) => u.username === 'bob');
    if (!bob) throw new Error('no bob');
    const page = await pageOn(allowedOrigin);
    expect(await attempt(page, bob.password)).toEqual({ signIn: 'status 200', socket: { code: 1000, frames: 1 } });
    await page.context().close();
  });

  it('answers the CORS preflight of an allowed origin and not of a foreign one', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/v1/auth/token`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
    const allowed = await preflight(allowedOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    const foreign = await preflight(foreignOrigin);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const signIn = await fetch(`${server.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signIn.headers.get('cache-control')).toBe('no-store');
    expect(signIn.headers.get('x-content-type-options')).toBe('nosniff');
    expect(signIn.headers.get('x-frame-options')).toBe('DENY');
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
