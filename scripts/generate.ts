/**
 * `npm run generate`: regenerates generated/src/ from specs/. With `--check`, writes nothing
 * and exits 1 when the committed files differ from a fresh generation.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { generateAll } from './codegen/generate-all.ts';
import { generatedDir } from './codegen/paths.ts';

const check = process.argv.includes('--check');
const files = await generateAll();

async function listExisting(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(generatedDir, join(e.parentPath, e.name)));
}

const stale: string[] = [];
for (const [path, content] of files) {
  const target = join(generatedDir, path);
  const current = await readFile(target, 'utf8').catch(() => null);
  if (current === content) continue;
  stale.push(path);
  if (!check) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}
for (const path of await listExisting(generatedDir)) {
  if (files.has(path)) continue;
  stale.push(`${path} (not generated any more)`);
  if (!check) await rm(join(generatedDir, path));
}

if (check && stale.length > 0) {
  console.error(`generated/ is stale; run npm run generate:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(
  stale.length === 0 ? `generated/ is up to date (${files.size} files)` : `wrote ${stale.length} of ${files.size} files to generated/src`,
);
