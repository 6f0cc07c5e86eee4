#!/usr/bin/env node
// The `switchboard` operator CLI. Installed from a package, it runs the compiled JavaScript in
// dist/. In a checkout of the repository (where tsx is a dev dependency) it runs the TypeScript
// sources, so the CLI never lags behind the code; without tsx it falls back to dist/.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const checkout = new URL('../../scripts/build/source-conditions.js', import.meta.url);
const sources = existsSync(new URL('../src/cli/main.ts', import.meta.url)) && existsSync(checkout);

if (sources && (await registerTsx())) {
  register(checkout);
  await import('../src/cli/main.ts');
} else {
  await import('../dist/cli/main.js');
}

/** Registers tsx's loader when it is installed; false when it is not (a production install). */
async function registerTsx() {
  try {
    const tsx = await import('tsx/esm/api');
    tsx.register();
    return true;
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return false;
    throw error;
  }
}
