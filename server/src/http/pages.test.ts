import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pageRoutes } from './pages.ts';

let folder: string | undefined;

afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('page assets', () => {
  it('serves assets built after the server started, listing again at most once a second', async () => {
    folder = await mkdtemp(join(tmpdir(), 'switchboard-pages-'));
    let clock = 0;
    const app = pageRoutes({ distDir: folder, now: () => clock });
    expect((await app.request('/assets/chat.js')).status).toBe(404);

    await mkdir(join(folder, 'assets'), { recursive: true });
    await writeFile(join(folder, 'assets', 'chat.js'), 'export {};');
    clock += 999;
    expect((await app.request('/assets/chat.js')).status).toBe(404);
    clock += 2;
    const built = await app.request('/assets/chat.js');
    expect(built.status).toBe(200);
    expect(built.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await built.text()).toBe('export {};');
  });

  it('answers only names the build wrote', async () => {
    folder = await mkdtemp(join(tmpdir(), 'switchboard-pages-'));
    await mkdir(join(folder, 'assets'), { recursive: true });
    await writeFile(join(folder, 'assets', 'chat.js'), 'export {};');
    await writeFile(join(folder, 'secret.txt'), 'not an asset');
    const app = pageRoutes({ distDir: folder, now: () => 0 });
    expect((await app.request('/assets/../secret.txt')).status).toBe(404);
    expect((await app.request('/assets/%2e%2e/secret.txt')).status).toBe(404);
    expect((await app.request('/assets/chat.js')).status).toBe(200);
  });
});
