/**
 * The pages: chat at `/`, the console at `/console`, the playground at `/playground`, the docs at `/docs`, their assets under `/assets/`, and the raw specs
 * under `/specs/`. Everything is served from this server (built into server/web/dist by
 * server/web/build.ts), so no page depends on a CDN; each page has its own Content-Security-Policy.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { SwitchboardError } from '../lib/errors.ts';

// server/src/http or server/dist/http: the pages are built into server/web/dist either way.
const builtDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.yaml': 'application/yaml; charset=utf-8',
};

// `connect-src 'self'` covers the page's own ws:// origin in current browsers.
const BASE_POLICY =
  "default-src 'self'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** The chat, console and playground: only this server's scripts and styles. */
const APP_POLICY = `${BASE_POLICY}; script-src 'self'; style-src 'self'; connect-src 'self'`;
/** The docs renderers inject styles and compile JSON Schemas at run time (ajv): they need both. */
const DOCS_POLICY = `${BASE_POLICY}; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'`;

/** The pages, by path: the built file and its policy. */
const PAGES: Record<string, { file: string; policy: string }> = {
  '/': { file: 'chat.html', policy: APP_POLICY },
  '/console': { file: 'console.html', policy: APP_POLICY },
  '/playground': { file: 'playground.html', policy: APP_POLICY },
  '/docs': { file: 'docs.html', policy: APP_POLICY },
  '/docs/rest': { file: 'docs-rest.html', policy: DOCS_POLICY },
  '/docs/socket': { file: 'docs-socket.html', policy: DOCS_POLICY },
};

const SPECS = new Set(['openapi.yaml', 'asyncapi.yaml', 'common.yaml']);

function notFound(c: Context): Response {
  const error = new SwitchboardError('not_found', `No route ${c.req.method} ${c.req.path}.`);
  return c.json({ error: error.toWire() }, 404);
}

async function listAssets(distDir: string): Promise<Set<string>> {
  try {
    const entries = await readdir(join(distDir, 'assets'), { recursive: true, withFileTypes: true });
    return new Set(entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(join(distDir, 'assets').length + 1)));
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return new Set();
    throw err;
  }
}

/** The page routes; `distDir` and `now` are for tests. */
export function pageRoutes(options: { distDir?: string; now?: () => number } = {}): Hono {
  const { distDir = builtDir, now = Date.now } = options;
  const specsDir = join(distDir, 'specs');
  const app = new Hono();
  // A request can only name a file the build wrote, never a path of its own. The listing is kept;
  // a name it lacks lists again, at most once a second, so pages built after the server started
  // (or swapped in by a rebuild) are served without a restart.
  let assets: Promise<Set<string>> | undefined;
  let listedAt = 0;
  const known = async (name: string): Promise<boolean> => {
    if (assets && (await assets).has(name)) return true;
    if (assets && now() - listedAt < 1_000) return false;
    listedAt = now();
    assets = listAssets(distDir);
    return (await assets).has(name);
  };

  app.get('/assets/*', async (c) => {
    const name = c.req.path.slice('/assets/'.length);
    if (!(await known(name))) return notFound(c);
    const body = await readFile(join(distDir, 'assets', name));
    return c.body(body, 200, { 'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  });

  app.get('/specs/:file', async (c) => {
    const file = c.req.param('file');
    if (!SPECS.has(file)) return notFound(c);
    return c.body(await readFile(join(specsDir, file)), 200, {
      'Content-Type': TYPES['.yaml'] ?? 'text/plain',
      'Cache-Control': 'no-cache',
    });
  });

  for (const [path, page] of Object.entries(PAGES)) {
    app.get(path, async (c) => {
      c.header('Content-Security-Policy', page.policy);
      c.header('Cache-Control', 'no-cache');
      try {
        return c.html(await readFile(join(distDir, page.file), 'utf8'));
      } catch (err) {
        if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
        return c.html(
          '<!doctype html><title>Switchboard</title><p>The pages are not built yet: run <code>npx tsx server/web/build.ts</code> (<code>npm start</code> does it).</p>',
          503,
        );
      }
    });
  }
  return app;
}
