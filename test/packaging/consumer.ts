/**
 * The programs a new user would write against the installed packages, one project for all of
 * them: plain Node ESM, CommonJS `require`, strict TypeScript (node16 and bundler resolution),
 * a Vite browser build, and the README's own SDK snippet. Each joins room `support` of a live
 * server and prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './workspace.ts';

/** The room every program joins (the README's snippet names it). */
export const ROOM = 'support';

/**
 * The README's TypeScript SDK snippet, verbatim but for where it connects: the live test server
 * instead of localhost:8080, and `apiKey` from the environment.
 */
export function readmeSnippet(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /From TypeScript, through the SDK[^\n]*\n+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md has no ```ts block after "From TypeScript, through the SDK"');
  if (!block.includes("'http://localhost:8080'") || !block.includes("'ws://localhost:8080/ws'")) {
    throw new Error('the README snippet no longer connects to localhost:8080; update the packing test');
  }
  const program = block
    .replaceAll("'http://localhost:8080'", 'process.env.BASE_URL!')
    .replaceAll("'ws://localhost:8080/ws'", '`${process.env.WS_URL!}/ws`');
  return `// The README's SDK snippet (test/packaging/consumer.ts substitutes the server's address).\nconst apiKey = process.env.API_KEY!;\n${program}console.log(JSON.stringify({ joined: true, members: members.length, lastSeq }));\n`;
}

// Shared by the JavaScript programs: argv is base URL, WebSocket URL, API key, username.
const joinJs = (importLine: string) => `${importLine}
const [baseUrl, wsUrl, apiKey, username] = process.argv.slice(2);
const rest = createRestClient({ baseUrl, apiKey });
const user = await rest.users.create({ username });
const { accessToken } = await rest.users.createToken(user.id);
const client = createClient({ url: wsUrl + '/ws', token: accessToken });
const joined = await client.chat.join({ room: ${JSON.stringify(ROOM)} });
const catalog = Object.keys(errorCatalog).length;
await client.close();
console.log(JSON.stringify({ joined: true, lastSeq: joined.lastSeq, catalog }));
`;

/** A strict TypeScript program: typed replies, typed error codes, the protocol's registries. */
const typedTs = `import { createClient, createRestClient, isSwitchboardError, type AnyErrorCode, type SwitchboardClient } from '@switchboard/sdk';
import { userActions } from '@switchboard/protocol';
import { userServerFrameValidators } from '@switchboard/protocol/validators';

/** Joins a room and returns its last sequence number; the compiler checks every name. */
export async function joinRoom(baseUrl: string, wsUrl: string, apiKey: string, username: string): Promise<number> {
  const rest = createRestClient({ baseUrl, apiKey });
  const user = await rest.users.create({ username });
  const { accessToken } = await rest.users.createToken(user.id);
  const client: SwitchboardClient = createClient({ url: \`\${wsUrl}/ws\`, token: accessToken });
  try {
    const { lastSeq } = await client.chat.join({ room: ${JSON.stringify(ROOM)} });
    const seq: number = lastSeq;
    return seq;
  } catch (error) {
    if (isSwitchboardError(error)) {
      // The catalog's codes and the SDK's own (timeout, aborted).
      const code: AnyErrorCode = error.code;
      throw new Error(code);
    }
    throw error;
  } finally {
    await client.close();
  }
}

export const actionCount: number = Object.keys(userActions).length;
export const hasReplyValidators: boolean = Object.keys(userServerFrameValidators.replies).length > 0;
`;

// The browser programs export a function; the bundle is imported and called by run-bundle.mjs.
const browserSmallTs = `import { createClient } from '@switchboard/sdk';

/** The smallest real use: connect and join a room. */
export async function joinRoom(url: string, token: string, room: string): Promise<number> {
  const client = createClient({ url, token });
  const { lastSeq } = await client.chat.join({ room });
  await client.close();
  return lastSeq;
}
`;

const browserValidatedTs = `import { createClient } from '@switchboard/sdk';
import { validateServerFrame } from '@switchboard/sdk/validate';

/** Joins with every server frame checked by the protocol's precompiled validators. */
export async function joinRoom(url: string, token: string, room: string): Promise<number> {
  const client = createClient({ url, token, validator: validateServerFrame, validate: true });
  const { lastSeq } = await client.chat.join({ room });
  await client.close();
  return lastSeq;
}
`;

const runBundleMjs = `// Imports a browser bundle and calls its joinRoom (argv: bundle, ws URL, token, room).
import { pathToFileURL } from 'node:url';
const [bundle, url, token, room] = process.argv.slice(2);
const { joinRoom } = await import(pathToFileURL(bundle).href);
console.log(JSON.stringify({ joined: true, lastSeq: await joinRoom(url, token, room) }));
`;

const viteConfig = `import { defineConfig } from 'vite';

// Library mode, so the bundles can be imported and measured; resolution uses the browser conditions.
export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: 'dist-browser',
    minify: true,
    target: 'es2022',
    lib: { entry: { small: 'src/browser-small.ts', validated: 'src/browser-validated.ts' }, formats: ['es'] },
  },
});
`;

const strict = {
  target: 'ES2022',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  // The point is to check the packages' declarations as a consumer's compiler reads them.
  skipLibCheck: false,
  isolatedModules: true,
};

/** Every file of the consumer project, by path. */
export function consumerFiles(deps: {
  sdk: string;
  protocol: string;
  typescript: string;
  vite: string;
  typesNode: string;
}): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'package.json': json({
      name: 'switchboard-consumer',
      private: true,
      type: 'module',
      dependencies: { '@switchboard/sdk': `file:${deps.sdk}`, '@switchboard/protocol': `file:${deps.protocol}` },
      devDependencies: { typescript: deps.typescript, vite: deps.vite, '@types/node': deps.typesNode },
    }),
    'tsconfig.node16.json': json({
      compilerOptions: {
        ...strict,
        module: 'node16',
        moduleResolution: 'node16',
        lib: ['ES2022', 'ESNext.Disposable'],
        types: ['node'],
        rootDir: 'src',
        outDir: 'build',
      },
      files: ['src/readme.ts', 'src/typed.ts'],
    }),
    'tsconfig.bundler.json': json({
      compilerOptions: {
        ...strict,
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
        types: [],
        noEmit: true,
      },
      files: ['src/typed.ts', 'src/browser-small.ts', 'src/browser-validated.ts'],
    }),
    'vite.config.js': viteConfig,
    'src/readme.ts': readmeSnippet(),
    'src/typed.ts': typedTs,
    'src/browser-small.ts': browserSmallTs,
    'src/browser-validated.ts': browserValidatedTs,
    'esm.mjs': joinJs(
      "import { createClient, createRestClient } from '@switchboard/sdk';\nimport { errorCatalog } from '@switchboard/protocol';",
    ),
    'cjs.cjs': `(async () => {\n${joinJs("const { createClient, createRestClient } = require('@switchboard/sdk');\nconst { errorCatalog } = require('@switchboard/protocol');")}})().catch((error) => { console.error(error); process.exit(1); });\n`,
    'typed-main.mjs': `import { joinRoom, actionCount, hasReplyValidators } from './build/typed.js';\nconst [baseUrl, wsUrl, apiKey, username] = process.argv.slice(2);\nconsole.log(JSON.stringify({ joined: true, lastSeq: await joinRoom(baseUrl, wsUrl, apiKey, username), actionCount, hasReplyValidators }));\n`,
    'run-bundle.mjs': runBundleMjs,
  };
}
