/**
 * The playground in real Chromium: anonymous and signed-in sockets, an action's payload checked as
 * it is typed by the generated validators, the reply linked to its command by `ref`, close codes
 * explained from the spec, and the session exported as a script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ensurePages, launchBrowser, pageProblems, screenshot } from './helpers.ts';

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let demo: NonNullable<TestServer['demo']>;

beforeAll(async () => {
  await ensurePages();
  server = await startTestServer({ backend: 'embedded', config: { demo: 'auto' } });
  if (!server.demo) throw new Error('the demo was not seeded');
  demo = server.demo;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the playground', () => {
  it('sends an action and shows its reply, validates as you type, explains the close', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = pageProblems(page);
    await page.goto(`${server.url}/playground?app=${demo.appId}`);
    await page.locator('#action option[value="chat.join"]').waitFor({ state: 'attached' });

    // Anonymous: ping works, and its reply carries the command's id as ref.
    await page.click('#connect');
    await page.locator('#timeline li', { hasText: 'connected' }).waitFor();
    await page.selectOption('#action', 'ping');
    await page.click('#send');
    await page.locator('#timeline li.in[data-ref="1"]', { hasText: 'ping reply' }).waitFor();
    await expect(page.locator('#timeline li.in[data-ref="1"] pre').textContent()).resolves.toContain('"pong":true');

    // The payload is checked against the action's schema while it is typed.
    await page.selectOption('#action', 'echo');
    await page.fill('#payload', '{"text": 5}');
    await page.locator('#check.bad', { hasText: 'does not match the spec' }).waitFor();
    await page.fill('#payload', '{"text": "hi"}');
    await page.locator('#check.ok').waitFor();
    await page.click('#disconnect');
    await page.locator('#timeline li.close', { hasText: '1000' }).waitFor();

    // Signed in as bob: chat.join answers with the room and its members.
    await page.locator('#sign-in-box summary').click();
    await page.fill('#username', 'bob');
    await page.fill('#password', demo.users.find((u) => u.username === 'bob')?.password ?? '');
    await page.click('#sign-in button');
    await expect.poll(() => page.inputValue('#token')).toMatch(/^eyJ/);
    await page.click('#connect');
    await page.locator('#timeline li', { hasText: 'welcome' }).waitFor();
    await page.selectOption('#action', 'chat.join');
    await expect.poll(() => page.inputValue('#payload')).toContain('"room": "lobby"');
    await page.click('#send');
    const reply = page.locator('#timeline li.in', { hasText: 'chat.join reply' });
    await reply.waitFor();
    await expect(reply.locator('pre').textContent()).resolves.toContain('"members"');
    await page.click('#export');
    await expect.poll(() => page.inputValue('#script')).toContain('"action": "chat.join"');
    for (const dismiss of await page.locator('.toast button').all()) await dismiss.click();
    await screenshot(page, 'playground');

    // A bad token: the socket is closed at once and the code is explained from the spec.
    await page.click('#disconnect');
    await page.fill('#token', 'not-a-token');
    await page.click('#connect');
    await page.locator('#timeline li.close', { hasText: '4501' }).filter({ hasText: 'unauthorized' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
