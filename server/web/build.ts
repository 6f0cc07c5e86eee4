/**
 * Builds the pages into server/web/dist: the chat page's TypeScript (with the browser SDK) bundled
 * by esbuild, the HTML and CSS copied, the docs renderers' standalone bundles copied from
 * node_modules (so no page ever fetches from a CDN), and each spec bundled into one document
 * (common.yaml inlined) for the renderers. `npm run build` (and so `npm start`) runs it; the test run's global setup calls `buildPages()` once.
 *
 * Run: `npx tsx server/web/build.ts`.
 */
import { copyFile, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** Where the built pages go; server/src/http/pages.ts serves this folder. */
export const pagesDir = join(here, 'dist');

/** The pages, by source: each is copied to `dist/<name>.html`. */
const htmlPages = {
  'chat/index.html': 'chat.html',
  'console/index.html': 'console.html',
  'docs/index.html': 'docs.html',
  'docs/rest.html': 'docs-rest.html',
  'docs/socket.html': 'docs-socket.html',
  'playground/index.html': 'playground.html',
} as const;

/** The scripts, bundled for browsers. */
const scripts = {
  chat: 'chat/main.ts',
  console: 'console/main.ts',
  'docs-rest': 'docs/rest.ts',
  'docs-socket': 'docs/socket.ts',
  playground: 'playground/main.ts',
} as const;

const styles = [
  'shared/style.css',
  'chat/chat.css',
  'console/console.css',
  'docs/docs.css',
  'playground/playground.css',
  'shared/favicon.svg',
] as const;

/** Files of npm packages served as they are, by their name under /assets/vendor/. */
const vendor = {
  'scalar.js': '@scalar/api-reference/dist/browser/standalone.js',
  'asyncapi.js': '@asyncapi/react-component/browser/standalone/index.js',
  'asyncapi.css': '@asyncapi/react-component/styles/default.min.css',
} as const;

type Doc = Record<string, unknown>;

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rewrites `./common.yaml#/X` (and common's own `#/X`) to `#/components/schemas/X`. */
function rewriteRefs(value: unknown, local: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, local));
  if (!isDoc(value)) return value;
  const out: Doc = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string') {
      const common = /^\.\/common\.yaml#\/(.+)$/.exec(item) ?? (local ? /^#\/([^/]+)$/.exec(item) : null);
      out[key] = common ? `#/components/schemas/${common[1]}` : item;
    } else out[key] = rewriteRefs(item, local);
  }
  return out;
}

/** One self-contained spec document: what the renderers load, so they resolve no file of their own. */
export function bundleSpec(spec: unknown, common: unknown): Doc {
  const doc = rewriteRefs(spec, false);
  const shared = rewriteRefs(common, true);
  if (!isDoc(doc) || !isDoc(shared)) throw new Error('a spec is not a YAML mapping');
  const components = isDoc(doc.components) ? doc.components : {};
  const schemas = isDoc(components.schemas) ? components.schemas : {};
  for (const [name, schema] of Object.entries(shared)) {
    if (name in schemas) throw new Error(`common.yaml's ${name} clashes with a schema of the spec`);
    schemas[name] = schema;
  }
  return { ...doc, components: { ...components, schemas } };
}

/**
 * Builds every page into `pagesDir`. The pages are built aside and swapped in with two renames:
 * a server serving `pagesDir` meanwhile (another test process's, a running node) never finds it
 * half deleted or half written. Each step dir is named `dist`, which every ignore file skips.
 */
export async function buildPages(options: { minify?: boolean } = {}): Promise<void> {
  const work = join(here, '.staging', `${process.pid}-${Date.now()}`);
  const out = join(work, 'new', 'dist');
  const previous = join(work, 'old', 'dist');
  await mkdir(join(work, 'old'), { recursive: true });
  try {
    await buildInto(out, options);
    await swapIn(out, previous);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Moves the current pages aside and the new ones in. Another builder can put its own pages in
 * between the two renames (the second then fails: the target is not empty); it moves those aside
 * too and tries again, a bounded number of times.
 */
async function swapIn(out: string, previous: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await rm(previous, { recursive: true, force: true });
    await rename(pagesDir, previous).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    try {
      await rename(out, pagesDir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt === 5) throw error;
    }
  }
}

async function buildInto(pagesDir: string, options: { minify?: boolean }): Promise<void> {
  const assets = join(pagesDir, 'assets');
  await mkdir(join(assets, 'vendor'), { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(scripts).map(([name, source]) => [name, join(here, source)])),
    outdir: assets,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const [source, target] of Object.entries(htmlPages)) await copyFile(join(here, source), join(pagesDir, target));
  for (const source of styles) await copyFile(join(here, source), join(assets, source.split('/').pop() ?? source));
  for (const [name, source] of Object.entries(vendor)) await cp(join(root, 'node_modules', source), join(assets, 'vendor', name));
  const common = parse(await readFile(join(root, 'specs', 'common.yaml'), 'utf8'));
  for (const spec of ['openapi', 'asyncapi'] as const) {
    const doc = parse(await readFile(join(root, 'specs', `${spec}.yaml`), 'utf8'));
    await writeFile(join(assets, `${spec}.json`), JSON.stringify(bundleSpec(doc, common)));
    // The raw specs ship with the pages, so an installed server serves them without the repository.
    await mkdir(join(pagesDir, 'specs'), { recursive: true });
    await copyFile(join(root, 'specs', `${spec}.yaml`), join(pagesDir, 'specs', `${spec}.yaml`));
  }
  await copyFile(join(root, 'specs', 'common.yaml'), join(pagesDir, 'specs', 'common.yaml'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPages();
  process.stdout.write(`pages built in ${pagesDir}\n`);
}
