/**
 * Runs once per `vitest run`, before any integration file: builds one migrated template of each
 * database engine the run tests, so files copy a template instead of migrating their own (a fresh
 * embedded database costs seconds, up to 20 s on a loaded machine). The PGlite template is a
 * dumped data folder in a temporary file; the Postgres one a template database. Both are removed
 * when the run ends. It also builds the pages once, before any server serves them: a build per
 * test process swapped the folder under the other processes' servers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildPages } from '../../server/web/build.ts';
import { databaseKinds } from './backends.ts';
import { admin, buildPGliteTemplate, buildPostgresTemplate, quote } from './templates.ts';

declare module 'vitest' {
  /** What the global setup hands to every test file (`inject(...)`). */
  export interface ProvidedContext {
    /** A file holding the dumped data folder of a migrated PGlite; undefined when the run tests no embedded backend. */
    pgliteTemplatePath: string | undefined;
    /** The migrated template database on the test Postgres; undefined when the run tests no Postgres backend. */
    postgresTemplateName: string | undefined;
  }
}

/** Builds the templates and provides where they are; the returned function removes them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const folder = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
  const [pglite, postgres, pages] = await Promise.allSettled([
    databaseKinds.includes('pglite') ? writePGliteTemplate(folder) : Promise.resolve(undefined),
    databaseKinds.includes('postgres') ? once(buildPostgresTemplate).catch(() => once(buildPostgresTemplate)) : Promise.resolve(undefined),
    buildPages(),
  ]);
  const teardown = async (): Promise<void> => {
    if (postgres.status === 'fulfilled' && postgres.value !== undefined) {
      await admin(`drop database if exists ${quote(postgres.value)} with (force)`);
    }
    await rm(folder, { recursive: true, force: true });
  };
  if (pglite.status === 'rejected' || postgres.status === 'rejected' || pages.status === 'rejected') {
    await teardown();
    throw [pglite, postgres, pages].flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []))[0];
  }
  project.provide('pgliteTemplatePath', pglite.value);
  project.provide('postgresTemplateName', postgres.value);
  console.log(`pages and test database templates (${databaseKinds.join(', ')}) ready in ${Math.round(performance.now() - started)} ms`);
  return teardown;
}

async function writePGliteTemplate(folder: string): Promise<string> {
  const path = join(folder, 'pglite-template.tar');
  await writeFile(path, new Uint8Array(await (await buildPGliteTemplate()).arrayBuffer()));
  return path;
}

/**
 * The server's Postgres queries time out after 5 s, which a migration on a very loaded machine
 * can overrun; the template is worth one more try before the whole run fails (the second
 * failure is the one reported).
 */
function once(build: () => Promise<string>): Promise<string> {
  return build().catch((error: unknown) => {
    console.warn(`building the Postgres template failed (${error instanceof Error ? error.message : String(error)})`);
    throw error;
  });
}
