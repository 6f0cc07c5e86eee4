/**
 * Every page we write, checked by axe-core (WCAG 2 A and AA: contrast, labels, names, roles) at
 * desktop and phone width, and the chat page used by keyboard alone: sign in, send, join a room,
 * with a visible focus ring on every stop. The docs renderers (Scalar, AsyncAPI) are third-party
 * and not scanned; the docs index is ours and is.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { deadline } from '../helpers/deadline.ts';
import { launchBrowser, pageProblems } from './helpers.ts';

vi.setConfig({ testTimeout: deadline(90_000), hookTimeout: deadline(120_000) });

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 780 } } as const;

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

function password(username: string): string {
  const user = demo.users.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  return user.password;
}

/** Runs axe-core on the page as it is and returns one line per violated rule and element. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }).axe;
    type AxeResults = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
    const { violations } = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return violations.flatMap((v) => v.nodes.map((node) => `${v.id} (${v.help}): ${node.target.join(' ')}`));
  });
  return results;
}

type Scene = { name: string; open: (page: Page) => Promise<void> };

const scenes: Scene[] = [
  {
    name: 'chat sign-in',
    open: async (page) => {
      await page.goto(`${server.url}/?app=${demo.appId}`);
      await page.locator('#sign-in').waitFor();
    },
  },
  {
    name: 'chat signed in',
    open: async (page) => {
      await page.goto(`${server.url}/?app=${demo.appId}`);
      await page.fill('#username', 'alice');
      await page.fill('#password', password('alice'));
      await page.press('#password', 'Enter');
      await page.locator('.room-view[data-room="lobby"]').waitFor();
      await page.locator('#status[data-state="open"]').waitFor();
    },
  },
  {
    name: 'console sign-in',
    open: async (page) => {
      await page.goto(`${server.url}/console`);
      await page.locator('#secret').waitFor();
    },
  },
  {
    name: 'console signed in as the app',
    open: async (page) => {
      await page.goto(`${server.url}/console`);
      await page.check('input[name=kind][value=app]');
      await page.fill('#secret', demo.apiKey);
      await page.press('#secret', 'Enter');
      await page.locator('.room-link[data-room="lobby"]').waitFor();
    },
  },
  {
    name: 'playground',
    open: async (page) => {
      await page.goto(`${server.url}/playground`);
      await page.locator('#action').waitFor();
    },
  },
  {
    name: 'docs index',
    open: async (page) => {
      await page.goto(`${server.url}/docs`);
      await page.locator('main').waitFor();
    },
  },
];

describe('every page', () => {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const scene of scenes) {
      it(`${scene.name} (${size}) breaks no WCAG 2.1 A or AA rule`, async () => {
        const context = await browser.newContext({ viewport, isMobile: size === 'phone' });
        context.setDefaultTimeout(deadline(30_000));
        const page = await context.newPage();
        const problems = pageProblems(page);
        await scene.open(page);
        expect(await violations(page)).toEqual([]);
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  }
});

/**
 * What has focus now, and whether it shows a focus ring: an outline of at least 3:1 contrast
 * against the background behind it (WCAG 1.4.11), or a box shadow.
 */
function focused(page: Page): Promise<{ id: string; text: string; ring: boolean; tag: string; room: string | null }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { id: '', text: '', ring: true, tag: 'body', room: null };
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const channel = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    // The outline is drawn outside the element: the background is the nearest opaque one around it.
    let behind = '#ffffff';
    for (let node = element.parentElement; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      const [, , , alpha = 1] = rgb(color);
      if (alpha > 0.5 && color !== 'transparent') {
        behind = color;
        break;
      }
    }
    const style = getComputedStyle(element);
    const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(behind))].sort((x, y) => y - x) as [number, number];
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && (a + 0.05) / (b + 0.05) >= 3;
    return {
      id: element.id,
      text: (element.textContent ?? '').trim(),
      ring: outlined || style.boxShadow !== 'none',
      tag: element.tagName.toLowerCase(),
      room: element.closest('[data-room]')?.getAttribute('data-room') ?? null,
    };
  });
}

/** Presses Tab until `wanted` holds (at most 40 times), failing on a stop without a focus ring. */
async function tabTo(page: Page, wanted: (f: Awaited<ReturnType<typeof focused>>) => boolean): Promise<void> {
  const stops: string[] = [];
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    const name = `${now.tag}#${now.id}[${now.room ?? ''}] "${now.text.slice(0, 30)}"`;
    expect(now.ring, `focus ring on ${name}`).toBe(true);
    if (wanted(now)) return;
    stops.push(name);
  }
  throw new Error(`40 presses of Tab never reached the element; the stops were:\n${stops.join('\n')}`);
}

describe('the chat page by keyboard alone', () => {
  it('signs in, sends a message and joins the staff room, every stop showing its focus', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    context.setDefaultTimeout(deadline(30_000));
    const page = await context.newPage();
    const problems = pageProblems(page);
    await page.goto(`${server.url}/?app=${demo.appId}`);
    await page.locator('#sign-in').waitFor();

    await tabTo(page, (f) => f.id === 'username');
    await page.keyboard.type('alice');
    await tabTo(page, (f) => f.id === 'password');
    await page.keyboard.type(password('alice'));
    await page.keyboard.press('Enter');
    await page.locator('.room-view[data-room="lobby"]').waitFor();

    await tabTo(page, (f) => f.tag === 'input' && f.room === 'lobby');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await page.locator('.room-view[data-room="lobby"] .msg.mine .text', { hasText: 'Typed without a mouse' }).waitFor();

    await tabTo(page, (f) => f.tag === 'button' && f.room === 'staff' && f.text === 'Join');
    await page.keyboard.press('Enter');
    await page.locator('.room-view[data-room="staff"]').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
