/**
 * The specs are valid for their own tools, and generated/ is exactly what they generate: a spec
 * change without `npm run generate`, or a hand edit of generated/, fails here.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkAsyncApi, checkOpenApi } from '../../scripts/codegen/check-specs.ts';
import { generateAll } from '../../scripts/codegen/generate-all.ts';
import { generatedDir } from '../../scripts/codegen/paths.ts';

describe('specs', () => {
  it('specs/asyncapi.yaml passes @asyncapi/parser', async () => {
    expect(await checkAsyncApi()).toEqual([]);
  });

  it('specs/openapi.yaml passes the OpenAPI linter (Redocly, recommended rules)', async () => {
    expect(await checkOpenApi()).toEqual([]);
  });

  it('generated/ matches a fresh generation, file for file', async () => {
    const fresh = await generateAll();
    const entries = await readdir(generatedDir, { withFileTypes: true, recursive: true });
    const committed = entries.filter((e) => e.isFile()).map((e) => relative(generatedDir, join(e.parentPath, e.name)));
    expect(committed.sort()).toEqual([...fresh.keys()].sort());
    for (const [path, content] of fresh) {
      expect(await readFile(join(generatedDir, path), 'utf8'), `generated/src/${path} is stale: run npm run generate`).toBe(content);
    }
  });
});

describe('specs/openapi.yaml', () => {
  it('declares on every /v1 operation the answers any /v1 request can get: 429 (the REST limits) and 503 (a dependency down)', async () => {
    const doc = parse(await readFile(new URL('../../specs/openapi.yaml', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
    };
    const missing = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([, item]) => Object.values(item))
      .filter((op) => op.responses)
      .flatMap((op) => ['429', '503'].filter((code) => !(code in op.responses!)).map((code) => `${op.operationId}: ${code}`));
    expect(missing).toEqual([]);
  });
});
