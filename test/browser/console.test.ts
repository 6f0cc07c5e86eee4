/**
 * The console in real Chromium: an app signs in with its API key, creates a room and an endpoint,
 * copies the endpoint's socket link and a plain WebSocket client connects with it and receives
 * what the console publishes; the room is watched live (members and messages); users are made
 * staff and signed out everywhere; the operator creates an app and rotates its key.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createRestClient } from '@switchboard/sdk';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, type TestApp } from '../helpers/tenancy.ts';
import { launchBrowser, pageProblems, screenshot } from './helpers.ts';
import { deadline } from '../helpers/deadline.ts';

// A browser test drives a whole page: its test and hook timeouts, stretched by the one knob like every wait.
vi.setConfig({ testTimeout: deadline(90_000), hookTimeout: deadline(120_000) });

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  server = await startTestServer({ backend: 'embedded' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openConsole(on: Browser, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: string[] }> {
  const context = await on.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  page.setDefaultTimeout(deadline(15_000));
  // Deletions and revocations ask first; the test says yes.
  page.on('dialog', (dialog) => void dialog.accept());
  const problems = pageProblems(page);
  await page.goto(`${server.url}/console`);
  return { page, problems };
}

/** Removes the toasts before a screenshot (they go by themselves after a few seconds; a test does not wait for that). */
async function clearToasts(page: Page): Promise<void> {
  await page.evaluate(() => document.getElementById('toasts')?.replaceChildren());
}

async function signIn(page: Page, as: 'app' | 'operator', secret: string): Promise<void> {
  await page.check(`input[name=kind][value=${as}]`);
  await page.fill('#secret', secret);
  await page.press('#secret', 'Enter');
}

describe('the console', () => {
  let app: TestApp;

  it('lets an app create a room and an endpoint whose copied link connects, and watch the room live', async () => {
    app = await createTestApp(server, 'acme');
    const { page, problems } = await openConsole(browser);
    const response = await page.goto(`${server.url}/console`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');
    await signIn(page, 'app', app.apiKey);

    await page.fill('#room-name', 'lobby');
    await page.fill('#room-title', 'Lobby');
    await page.click('#create-room button[type=submit]');
    await page.locator('.room-link[data-room="lobby"][aria-current="true"]').waitFor();
    expect((await app.rest.rooms.get('lobby')).title).toBe('Lobby');

    await page.selectOption('#endpoint-permissions', 'readwrite');
    await page.fill('#endpoint-identity', 'kiosk');
    await page.click('#create-endpoint button[type=submit]');
    const shown = page.locator('#endpoint-shown .secret');
    await shown.waitFor();
    await shown.locator('button[data-copy]').click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(new RegExp(`^${server.wsUrl}/ws/endpoint/[A-Za-z0-9_-]+$`));
    await page.locator('[data-endpoint="kiosk"]').waitFor();

    // The copied link is the whole socket URL: a plain client connects with it and hears the room.
    await using kiosk = await openSocket(link);
    await page.fill('#publish-text', 'Doors open at nine');
    await page.click('#publish button[type=submit]');
    expect((await kiosk.next((f) => f.action === 'message')).payload).toMatchObject({
      data: { text: 'Doors open at nine' },
      sender: { type: 'app', identity: 'console' },
    });

    // Watching: a user who joins shows as a member, and what is said shows live.
    let memberReads = 0;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/rooms/lobby/members') memberReads++;
    });
    await page.click('#watch');
    await page.locator('#watch-status[data-state="open"]').waitFor();
    const ada = await createTestUser(app, 'ada');
    await using adaSocket = await openSocket(`${server.wsUrl}/ws?token=${ada.token}`);
    await adaSocket.request('chat.join', { room: 'lobby' });
    await page.locator('#members li', { hasText: 'ada' }).waitFor();
    await adaSocket.request('chat.send', { room: 'lobby', text: 'Morning, everyone' });
    await kiosk.request('message.send', { data: { reading: 21.5 } });
    await page.locator('#live li', { hasText: 'Morning, everyone' }).waitFor();
    await page.locator('#live li', { hasText: '21.5' }).waitFor();
    // Drawn again, the endpoint list counts the kiosk's socket; the watch carries on.
    await page.locator('.room-link[data-room="lobby"]').click();
    await page.locator('[data-endpoint="kiosk"] .live', { hasText: '1 connected' }).waitFor();
    await page.locator('#live li', { hasText: 'Morning, everyone' }).waitFor();
    await clearToasts(page);
    await screenshot(page, 'console');
    // Live, not polled: ada leaving empties the list, and the members were read over REST once, at the start.
    await adaSocket.request('chat.leave', { room: 'lobby' });
    await page.locator('#members li.empty').waitFor();
    expect(memberReads).toBe(1);

    // Staff only; the history after a reload; leaving the page stopped the watch and revoked its endpoint.
    await page.check('input[name=staffOnly]');
    await expect.poll(async () => (await app.rest.rooms.get('lobby')).staffOnly).toBe(true);
    await page.locator('.room-link[data-room="lobby"] .badge', { hasText: 'staff' }).waitFor();
    await page.reload();
    await page.locator('#history li', { hasText: 'Doors open at nine' }).waitFor();
    await page.locator('#history li', { hasText: 'Morning, everyone' }).waitFor();
    await expect.poll(async () => (await app.rest.endpoints.list('lobby')).items.map((e) => e.identity)).toEqual(['kiosk']);

    // Phone width: the same page, stacked.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'console-phone');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets an app create users, make them staff, reset a password and sign them out everywhere', async () => {
    const { page, problems } = await openConsole(browser);
    await signIn(page, 'app', app.apiKey);
    await page.click('a[href="#users"]');
    await page.fill('#user-name', 'carol');
    await page.fill('#user-display', 'Carol Shaw');
    await page.fill('#user-password', 'carol-password-1');
    await page.click('#create-user button[type=submit]');
    const carol = page.locator('li.user[data-user="carol"]');
    await carol.waitFor();
    await carol.locator('input[name=staff]').check();
    await expect.poll(async () => (await app.rest.users.list()).items.find((u) => u.username === 'carol')?.staff).toBe(true);

    const anonymous = createRestClient({ baseUrl: server.url });
    const id = (await app.rest.users.list()).items.find((u) => u.username === 'carol')?.id ?? '';
    const { accessToken } = await anonymous.auth.signIn({ app: app.id, username: 'carol', password: 'carol-password-1' });
    await using open = await openSocket(`${server.wsUrl}/ws?token=${accessToken}`);
    await page.locator('li.user[data-user="carol"] button', { hasText: 'Reset password' }).click();
    await page.fill('li.user[data-user="carol"] .reset input', 'carol-password-2');
    await page.press('li.user[data-user="carol"] .reset input', 'Enter');
    await page.locator('.toast', { hasText: 'password was changed' }).waitFor();
    await expect(anonymous.auth.signIn({ app: app.id, username: 'carol', password: 'carol-password-2' })).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
    await page.locator('li.user[data-user="carol"] button[data-action="revoke-tokens"]').click();
    expect((await open.closed).code).toBe(4501);
    await page.locator('li.user[data-user="carol"]', { hasText: 'signed out everywhere' }).waitFor();
    expect((await app.rest.users.get(id)).tokensValidAfter).not.toBeNull();
    await clearToasts(page);
    await screenshot(page, 'console-users');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows the view asked for last when an earlier one answers later', async () => {
    const own = await createTestApp(server, 'slow-draw');
    const { page, problems } = await openConsole(browser);
    await signIn(page, 'app', own.apiKey);
    await page.locator('#room-name').waitFor();
    // The rooms list is held back until the users view is up: the slow draw must not replace it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname === '/v1/rooms',
      async (route) => {
        await held;
        await route.continue();
      },
    );
    await page.click('a[href="#users"]');
    await page.locator('#user-name').waitFor();
    const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/rooms');
    await page.click('a[href="#rooms"]');
    await page.click('a[href="#users"]');
    await page.locator('#user-name').waitFor();
    release();
    await answered;
    // Two frames after the answer: the held draw has read it and had its chance to draw.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await page.locator('#room-name').count()).toBe(0);
    await page.fill('#user-name', 'dora');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets the operator create an app and rotate its key, shown once', async () => {
    const { page, problems } = await openConsole(browser);
    await signIn(page, 'operator', TEST_ADMIN_TOKEN);
    await page.fill('#app-name', 'globex');
    await page.press('#app-name', 'Enter');
    const created = page.locator('#apps-shown .secret');
    await created.waitFor();
    const firstKey = await created.locator('input').inputValue();
    expect(firstKey).toMatch(/^sk_/);
    await created.locator('button', { hasText: 'Done' }).click();

    const card = page.locator('li.app[data-app="globex"]');
    await card.locator('button[data-action="rotate"]').click();
    const rotated = card.locator('.secret');
    await rotated.waitFor();
    const secondKey = await rotated.locator('input').inputValue();
    expect(secondKey).toMatch(/^sk_/);
    expect(secondKey).not.toBe(firstKey);
    await clearToasts(page);
    await screenshot(page, 'console-apps');

    await rotated.locator('button', { hasText: 'Revoke the older keys' }).click();
    const withKey = (key: string) => createRestClient({ baseUrl: server.url, apiKey: key });
    await expect
      .poll(() =>
        withKey(firstKey)
          .rooms.list()
          .then(
            () => 'works',
            (err: { code?: string }) => err.code,
          ),
      )
      .toBe('unauthenticated');
    await expect(withKey(secondKey).rooms.list()).resolves.toEqual({ items: [] });
    await expect.poll(async () => await card.locator('[data-key]').count()).toBe(1);

    // The new key opens the app's own view.
    await card.locator('button[data-action="rotate"]').click();
    await card.locator('.secret button', { hasText: 'Manage globex' }).click();
    await page.locator('#create-room').waitFor();
    await expect(page.locator('#who').textContent()).resolves.toBe('app: globex');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
