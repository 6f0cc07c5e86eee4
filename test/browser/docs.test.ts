/**
 * The docs pages in real Chromium with every host but the server blocked: the REST reference
 * renders every OpenAPI operation and the socket reference every AsyncAPI operation, and no
 * request even tries to leave for a CDN. The raw specs are served as they are in the repository.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { deadline } from '../helpers/deadline.ts';
import { launchBrowser, pageProblems, screenshot } from './helpers.ts';

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

type Operation = { summary?: unknown; operationId?: unknown };

async function summaries(file: string): Promise<string[]> {
  const doc: unknown = parse(await readFile(new URL(`../../specs/${file}`, import.meta.url), 'utf8'));
  const found: string[] = [];
  const visit = (op: Operation) => {
    if (typeof op.summary === 'string') found.push(op.summary);
  };
  if (typeof doc !== 'object' || doc === null) throw new Error(`${file} is not a mapping`);
  if ('paths' in doc && typeof doc.paths === 'object' && doc.paths) {
    for (const item of Object.values(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const op of Object.values(item)) if (typeof op === 'object' && op !== null && 'operationId' in op) visit(op);
    }
  }
  if ('operations' in doc && typeof doc.operations === 'object' && doc.operations) {
    for (const op of Object.values(doc.operations as Record<string, Operation>)) visit(op);
  }
  return found;
}

/** Markdown becomes text on the page: compare without its marks and with spaces collapsed. */
function plain(text: string): string {
  return text.replace(/[`*_]/g, '').replace(/\s+/g, ' ').trim();
}

/** Opens a page with every request to another host aborted; returns the hosts it tried. */
async function openIsolated(path: string): Promise<{ page: Page; foreign: string[]; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === server.url) return route.continue();
    foreign.push(url.href);
    return route.abort('blockedbyclient');
  });
  // The references are megabytes of script: on a loaded machine they load slower than playwright's 30 s default.
  page.setDefaultTimeout(deadline(30_000));
  const problems = pageProblems(page);
  await page.goto(`${server.url}${path}`);
  return { page, foreign, problems };
}

async function waitForAll(page: Page, texts: string[]): Promise<void> {
  const wanted = texts.map(plain);
  await page
    .waitForFunction(
      (all) => {
        const body = document.body.innerText.replace(/[`*_]/g, '').replace(/\s+/g, ' ');
        return all.every((text) => body.includes(text));
      },
      wanted,
      { timeout: deadline(30_000) },
    )
    .catch(async (error: unknown) => {
      const body = plain(await page.evaluate(() => document.body.innerText));
      throw new Error(`missing on ${page.url()}: ${wanted.filter((text) => !body.includes(text)).join(' | ')}`, { cause: error });
    });
}

describe('the docs pages', () => {
  it('render every REST operation with nothing fetched from elsewhere', async () => {
    const ops = await summaries('openapi.yaml');
    expect(ops.length).toBeGreaterThan(20);
    const { page, foreign, problems } = await openIsolated('/docs/rest');
    await waitForAll(page, ops);
    await screenshot(page, 'docs-rest');
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('render every socket operation with nothing fetched from elsewhere', async () => {
    const ops = await summaries('asyncapi.yaml');
    expect(ops.length).toBeGreaterThan(20);
    const { page, foreign, problems } = await openIsolated('/docs/socket');
    await waitForAll(page, ops);
    await screenshot(page, 'docs-socket');
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('link both references and serve the raw specs', async () => {
    const { page, foreign } = await openIsolated('/docs');
    await page
      .getByRole('link', { name: /REST API/ })
      .first()
      .waitFor();
    await screenshot(page, 'docs');
    for (const file of ['openapi.yaml', 'asyncapi.yaml', 'common.yaml']) {
      const response = await fetch(`${server.url}/specs/${file}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(await readFile(new URL(`../../specs/${file}`, import.meta.url), 'utf8'));
    }
    expect((await fetch(`${server.url}/specs/../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/../../build.ts`)).status).toBe(404);
    expect(foreign).toEqual([]);
    await page.context().close();
  });
});
