/**
 * The chat page in real Chromium, against a server on embedded defaults with the demo seeded:
 * two people chat across two rooms, edits and deletes reach the other side, the staff room is
 * refused to bob, and a cut socket recovers with each missed message shown once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { createRestClient } from '@switchboard/sdk';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { deadline } from '../helpers/deadline.ts';
import { launchBrowser, pageProblems, screenshot } from './helpers.ts';

// A browser test drives a whole page: its test and hook timeouts, stretched by the one knob like every wait.
vi.setConfig({ testTimeout: deadline(90_000), hookTimeout: deadline(120_000) });

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let demo: NonNullable<TestServer['demo']>;

beforeAll(async () => {
  server = await startTestServer({ backend: 'embedded', config: { demo: 'auto' } });
  if (!server.demo) throw new Error('the demo was not seeded');
  demo = server.demo;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Makes the page's sockets controllable: the test can drop the current one and refuse new ones, as a lost network would. */
async function withNetworkSwitch(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const net = { offline: false, sockets: [] as WebSocket[] };
    Object.assign(window, { __net: net });
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        // A path the server refuses to upgrade: the socket fails as it does while the network is down.
        super(net.offline ? new URL('/offline', url) : url, protocols);
        net.sockets.push(this);
      }
    };
  });
}

async function signIn(context: BrowserContext, username: string): Promise<Page> {
  const user = demo.users.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  const page = await context.newPage();
  page.setDefaultTimeout(deadline(15_000));
  await page.goto(`${server.url}/?app=${demo.appId}`);
  await expect.poll(() => page.inputValue('#app')).toBe(demo.appId);
  await page.fill('#username', username);
  await page.fill('#password', user.password);
  await page.press('#password', 'Enter');
  await page.locator('#status[data-state="open"]').waitFor();
  // The page joins the first open room by itself.
  await page.locator('.room-view[data-room="lobby"]').waitFor();
  return page;
}

function room(page: Page, name: string) {
  return page.locator(`.room-view[data-room="${name}"]`);
}

/** Waits until the room's panel holds a message with this text (shown or on a background tab). */
function seen(page: Page, name: string, text: string, selector = '.msg .text') {
  return room(page, name).locator(selector, { hasText: text }).waitFor({ state: 'attached' });
}

async function send(page: Page, name: string, text: string): Promise<void> {
  await page.locator(`.tab[data-room="${name}"]`).click();
  const input = room(page, name).locator('.compose-input');
  await input.fill(text);
  await input.press('Enter');
  await room(page, name).locator('.msg.mine .text', { hasText: text }).waitFor();
}

describe('the chat page', () => {
  it('lets two users chat across two rooms, edit, delete, be refused the staff room and recover a cut socket', async () => {
    const aliceContext = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    const bobContext = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    await withNetworkSwitch(bobContext);
    const alice = await signIn(aliceContext, 'alice');
    const bob = await signIn(bobContext, 'bob');
    // Bob's refused reconnects while "offline" are expected to log their failure.
    const problems = [...pageProblems(alice), ...pageProblems(bob, /\/offline/)];

    // The room list is live: a room the app creates over REST appears without a reload.
    const rest = createRestClient({ baseUrl: server.url, apiKey: demo.apiKey });
    await rest.rooms.create({ name: 'random', title: 'Random' });
    for (const page of [alice, bob]) {
      await page.locator('.room[data-room="random"] button', { hasText: 'Join' }).click();
      await room(page, 'random').waitFor();
    }
    // Presence: alice sees bob in the lobby.
    await expect.poll(() => room(alice, 'lobby').locator('.member-count').textContent()).toContain('bob');

    await send(alice, 'lobby', 'Hello from alice in the lobby');
    await seen(bob, 'lobby', 'Hello from alice in the lobby');
    await send(bob, 'random', 'Bob says hi in random');
    await seen(alice, 'random', 'Bob says hi in random');

    // Bob edits his message, then deletes it: alice sees both.
    const bobsMessage = room(bob, 'random').locator('.msg.mine', { hasText: 'Bob says hi in random' });
    await bobsMessage.getByRole('button', { name: 'Edit message' }).click();
    const edit = room(bob, 'random').locator('.edit-input');
    await edit.fill('Bob says hello in random');
    await edit.press('Enter');
    await seen(alice, 'random', 'Bob says hello in random', '.msg');
    await room(alice, 'random').locator('.msg', { hasText: 'Bob says hello in random' }).locator('.edited').waitFor({ state: 'attached' });
    // Bob may not change alice's message; alice, as staff, may change anyone's.
    await expect(
      room(bob, 'lobby').locator('.msg', { hasText: 'Hello from alice' }).locator('button[aria-label="Edit message"]').count(),
    ).resolves.toBe(0);
    await expect(
      room(alice, 'random').locator('.msg', { hasText: 'Bob says hello' }).locator('button[aria-label="Delete message"]').count(),
    ).resolves.toBe(1);
    await send(bob, 'random', 'Bob will delete this');
    const doomed = room(bob, 'random').locator('.msg.mine', { hasText: 'Bob will delete this' });
    const deleteButton = doomed.getByRole('button', { name: 'Delete message' });
    await deleteButton.click();
    await deleteButton.click();
    await seen(alice, 'random', 'message deleted', '.msg.deleted .text');
    await expect(room(alice, 'random').locator('.msg', { hasText: 'Bob will delete this' }).count()).resolves.toBe(0);

    // The staff-only room: bob is refused with a visible message; alice gets in.
    await bob.locator('.room[data-room="staff"] button', { hasText: 'Join' }).click();
    await bob.locator('.room[data-room="staff"] .refused', { hasText: 'Only staff may join' }).waitFor();
    await bob.locator('.toast.error', { hasText: 'staff only' }).waitFor();
    await expect(room(bob, 'staff').count()).resolves.toBe(0);
    await alice.locator('.room[data-room="staff"] button', { hasText: 'Join' }).click();
    await room(alice, 'staff').waitFor();
    await alice.locator('.tab[data-room="lobby"]').click();

    await screenshot(alice, 'chat');
    await screenshot(bob, 'chat-refused');

    // Cut bob's socket and keep his network down while alice writes to both rooms.
    await bob.evaluate(() => {
      const net = (window as unknown as { __net: { offline: boolean; sockets: WebSocket[] } }).__net;
      net.offline = true;
      for (const socket of net.sockets) socket.close();
    });
    await bob.locator('#banner', { hasText: 'Connection lost' }).waitFor();
    await bob.locator('#status[data-state="reconnecting"]').waitFor();
    await screenshot(bob, 'chat-reconnecting');
    await send(alice, 'lobby', 'Missed message one');
    await send(alice, 'random', 'Missed message two');
    await send(alice, 'lobby', 'Missed message three');
    await bob.evaluate(() => {
      (window as unknown as { __net: { offline: boolean } }).__net.offline = false;
    });
    await bob.locator('#status[data-state="open"]').waitFor({ timeout: deadline(30_000) });
    // Each room recovers on its own: wait for both.
    await seen(bob, 'lobby', 'Missed message three');
    await seen(bob, 'random', 'Missed message two');
    await expect(room(bob, 'lobby').locator('.msg .text', { hasText: 'Missed message one' }).count()).resolves.toBe(1);
    await expect(room(bob, 'lobby').locator('.msg .text', { hasText: 'Missed message three' }).count()).resolves.toBe(1);
    await expect(room(bob, 'random').locator('.msg .text', { hasText: 'Missed message two' }).count()).resolves.toBe(1);
    // In seq order: one before three.
    const texts = await room(bob, 'lobby').locator('.msg .text').allTextContents();
    expect(texts.indexOf('Missed message one')).toBeLessThan(texts.indexOf('Missed message three'));
    await expect(bob.locator('#banner').isHidden()).resolves.toBe(true);

    // After the reconnect the socket still works both ways.
    await send(bob, 'lobby', 'Bob is back');
    await seen(alice, 'lobby', 'Bob is back');

    // A backend notification arrives as a toast.
    const bobId = (await rest.users.list()).items.find((u) => u.username === 'bob')?.id;
    if (!bobId) throw new Error('bob is not listed');
    await rest.users.notify(bobId, { message: 'Your export is ready', level: 'success' });
    await bob.locator('.toast.success', { hasText: 'Your export is ready' }).waitFor();

    expect(problems).toEqual([]);
    await aliceContext.close();
    await bobContext.close();
  });

  it('signs in again for a fresh token when the server closes with token_expired', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, 'bob');
    const problems = pageProblems(page);
    const signIns: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/auth/token') signIns.push(request.url());
    });
    const reconnecting = page.locator('#status[data-state="reconnecting"]').waitFor();
    for (const connection of server.connections.values()) connection.close('token_expired');
    await reconnecting;
    await page.locator('#status[data-state="open"]').waitFor();
    expect(signIns).toHaveLength(1);
    await send(page, 'lobby', 'Bob with a fresh token');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads well on a phone-width screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true });
    // Playwright's fixed 30 s ran out once in CI (load 4+, every browser suite at once): the one knob stretches it.
    context.setDefaultTimeout(deadline(30_000));
    const page = await context.newPage();
    await page.goto(`${server.url}/?app=${demo.appId}`);
    await page.locator('#sign-in').waitFor();
    await screenshot(page, 'chat-sign-in-phone');
    await page.fill('#username', 'alice');
    await page.fill('#password', demo.users.find((u) => u.username === 'alice')?.password ?? '');
    await page.press('#password', 'Enter');
    await room(page, 'lobby').locator('.msg').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The composer stays on screen however long the conversation: only the messages scroll.
    const composer = await page.locator('.room-view[data-room="lobby"] .composer').boundingBox();
    expect(composer && composer.y + composer.height).toBeLessThanOrEqual(780);
    await screenshot(page, 'chat-phone');
    await context.close();
  });

  it('shows display names, and applies a staff flag taken away over REST at once', async () => {
    const rest = createRestClient({ baseUrl: server.url, apiKey: demo.apiKey });
    const users = (await rest.users.list()).items;
    const id = (name: string) => users.find((u) => u.username === name)?.id ?? '';
    await rest.users.update(id('bob'), { displayName: 'Bob Builder' });
    const alice = await signIn(await browser.newContext({ viewport: { width: 1200, height: 760 } }), 'alice');
    const bob = await signIn(await browser.newContext({ viewport: { width: 1200, height: 760 } }), 'bob');
    const problems = [...pageProblems(alice), ...pageProblems(bob)];
    await expect.poll(() => room(alice, 'lobby').locator('.member-count').textContent()).toContain('Bob Builder');
    await send(bob, 'lobby', 'Hi, I build things');
    await room(alice, 'lobby').locator('.msg', { hasText: 'Hi, I build things' }).locator('.author', { hasText: 'Bob Builder' }).waitFor();
    await expect(bob.locator('#me').textContent()).resolves.toBe('Bob Builder');

    await alice.locator('.room[data-room="staff"] button', { hasText: 'Join' }).click();
    await room(alice, 'staff').waitFor();
    await rest.users.update(id('alice'), { staff: false });
    // No reconnect: the open page loses the room and the staff powers at once.
    await alice.locator('.toast', { hasText: 'removed from #staff' }).waitFor();
    await expect(room(alice, 'staff').count()).resolves.toBe(0);
    await alice.locator('.room[data-room="staff"] .refused').waitFor();
    await expect(alice.locator('#me').textContent()).resolves.toBe('alice');
    await alice.locator('.tab[data-room="lobby"]').click();
    await expect(
      room(alice, 'lobby').locator('.msg', { hasText: 'Hi, I build things' }).locator('button[aria-label="Delete message"]').count(),
    ).resolves.toBe(0);
    await rest.users.update(id('alice'), { staff: true });
    await expect.poll(() => alice.locator('#me').textContent()).toBe('alice (staff)');
    await rest.users.update(id('bob'), { displayName: null });
    expect(problems).toEqual([]);
    await alice.context().close();
    await bob.context().close();
  });
});
