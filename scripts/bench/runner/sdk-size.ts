/**
 * The browser SDK's weight against socket.io-client's: `esbuild --bundle --minify --format=esm`
 * of sdk/src/index.ts, gzipped, against socket.io-client's own dist/socket.io.min.js, gzipped
 * the same way.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Outcome, SdkSize } from '../results.ts';
import { repoRoot } from './paths.ts';

const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** Measures both bundles; unavailable while the SDK has no browser entry. */
export async function measureSdkSize(): Promise<Outcome<SdkSize>> {
  const entry = join(repoRoot, 'sdk/src/index.ts');
  try {
    await access(entry);
  } catch {
    return { status: 'unavailable', reason: 'sdk/src/index.ts does not exist yet' };
  }
  try {
    const esbuild = await import('esbuild');
    const built = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['switchboard-source'],
      write: false,
      logLevel: 'silent',
    });
    const bundle = built.outputFiles[0];
    if (!bundle) throw new Error('esbuild produced no output');
    const socketIo = await readFile(join(repoRoot, 'node_modules/socket.io-client/dist/socket.io.min.js'));
    return { status: 'ok', value: { switchboardBytes: gzipped(bundle.contents), socketIoClientBytes: gzipped(socketIo) } };
  } catch (err) {
    return { status: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
}
