/**
 * The playground in real Chromium: anonymous and signed-in sockets, an action's payload checked as
 * it is typed by the generated validators, the reply linked to its command by `ref`, close codes
 * explained from the spec, and the session exported as a script.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deadline } from '../helpers/deadline.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, pageProblems, screenshot } from './helpers.ts';

// A browser test drives a whole page: its test and hook timeouts, stretched by the one knob like every wait.
vi.setConfig({ testTimeout: deadline(90_000), hookTimeout: deadline(120_000) });

/** Runs an exported script with Node from a folder inside the checkout, where `ws` resolves; its exit code and output. */
async function runExported(script: string): Promise<{ code: number; stdout: string }> {
  const dir = await mkdtemp(join(import.meta.dirname, '..', '..', 'node_modules', '.playground-export-'));
  try {
    await writeFile(join(dir, 'session.mjs'), script);
    const run = promisify(execFile)(process.execPath, [join(dir, 'session.mjs')], { timeout: deadline(30_000) });
    return await run.then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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

describe('the playground', () => {
  it('sends an action and shows its reply, validates as you type, explains the close', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(deadline(15_000));
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
    // The newest entry is in the viewport: the page and the timeline followed it.
    await expect
      .poll(() =>
        page
          .locator('#timeline li')
          .last()
          .evaluate((li) => {
            const box = li.getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
          }),
      )
      .toBe(true);
    // Every form control has an accessible name (a <label>, aria-label or its text).
    const unnamed = await page
      .locator('input, select, textarea, button')
      .evaluateAll((controls) =>
        controls
          .filter((c) => !(c as HTMLInputElement).labels?.length && !c.getAttribute('aria-label') && !c.textContent?.trim())
          .map((c) => c.id || c.outerHTML.slice(0, 60)),
      );
    expect(unnamed).toEqual([]);
    for (const name of ['App id', 'Username', 'Password', 'Access token', 'Socket', 'Action', 'Payload (JSON)']) {
      await expect(page.getByLabel(name, { exact: false }).count()).resolves.toBeGreaterThan(0);
    }
    await page.click('#export');
    await expect.poll(() => page.inputValue('#script')).toContain('"action": "chat.join"');
    // The export is a test of its own: run with Node, it replays the session and passes (exit 0).
    const exported = await runExported(await page.inputValue('#script'));
    expect(exported.code).toBe(0);
    const answers = exported.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { action: string; payload?: { members?: unknown } });
    expect(answers.find((frame) => frame.action === 'chat.join')?.payload?.members).toEqual([expect.objectContaining({ username: 'bob' })]);
    for (const dismiss of await page.locator('.toast button').all()) await dismiss.click();
    await screenshot(page, 'playground');

    // A bad token: the socket is closed at once and the code is explained from the spec.
    await page.click('#disconnect');
    await page.fill('#token', 'not-a-token');
    await page.click('#connect');
    await page.locator('#timeline li.close', { hasText: '4501' }).filter({ hasText: 'unauthorized' }).waitFor();
    // Its export fails as a test should: the server closed the socket with 4501.
    await page.click('#export');
    await expect.poll(() => page.inputValue('#script')).toContain('not-a-token');
    const refused = await runExported(await page.inputValue('#script'));
    expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('closed 4501') });
    expect(problems).toEqual([]);
    await context.close();
  });
});
