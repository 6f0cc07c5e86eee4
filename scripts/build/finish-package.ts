/**
 * Finishes a package's `tsc` build in `dist/`: copies the hand-written JavaScript and declaration
 * files tsc does not emit (the protocol's precompiled ajv validators) and rewrites relative `.ts`
 * specifiers left in declaration files to `.js`, so consumers on any TypeScript and resolution
 * mode read them; copies the repository's CHANGELOG.md in (one changelog, three packages).
 * Run in the package folder: `tsx ../scripts/build/finish-package.ts`.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const src = 'src';
const dist = 'dist';

/** Every file under `dir`, as paths relative to it. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

// `from './x.ts'`, `import('./x.ts')`, `export * from "../y.ts"`: relative specifiers only.
const tsSpecifier = /(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]+?)\.ts\2/g;

function rewriteDeclaration(text: string): string {
  return text.replace(tsSpecifier, (_, lead: string, quote: string, path: string) => `${lead}${quote}${path}.js${quote}`);
}

for (const file of await files(src)) {
  // tsc compiles .ts into .js + .d.ts; plain .js and hand-written .d.ts it leaves behind.
  const handWritten = file.endsWith('.js') || file.endsWith('.d.ts');
  if (!handWritten || file.includes('.test.')) continue;
  await mkdir(join(dist, dirname(file)), { recursive: true });
  await copyFile(join(src, file), join(dist, file));
}

await copyFile(join('..', 'CHANGELOG.md'), 'CHANGELOG.md');

let rewritten = 0;
for (const file of await files(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(dist, file);
  const before = await readFile(path, 'utf8');
  const after = rewriteDeclaration(before);
  if (after !== before) {
    await writeFile(path, after);
    rewritten += 1;
  }
}
process.stdout.write(`finish-package: ${relative('..', process.cwd())}/dist ready (${rewritten} declaration files rewritten)\n`);
