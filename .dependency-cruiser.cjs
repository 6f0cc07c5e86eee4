/**
 * Import boundaries of Switchboard, checked by `npm run lint` (dependency-cruiser).
 *
 * The server's layers point one way:
 *   composition root (server.ts, main.ts, index.ts, testing.ts)
 *     → routes (http/, sockets/, cli/) → handlers/ → services/
 *     → stores (db/, channels/, presence/, sequences/, redis/, auth/)
 * delivery/ is an adapter: it implements the services' DomainEvents port over the channel layer,
 * so it may import services/ (the port, the revocation keys); services never import it.
 * with lib/ and data/ (and the leaf modules config.ts and logger.ts) usable by all, and ws/ a
 * transport that imports only lib/ and @switchboard/protocol. Nothing imports a layer above its
 * own; no two folders import each other; the SDK never imports the server; generated code
 * imports nothing of ours. A rule about a folder that does not exist matches nothing.
 *
 * Paths are regular expressions on paths from the repository root.
 */

const SRC = '^server/src/';
const ROOT = `${SRC}(server|main|index|testing)\\.ts$`;
const ROUTES = `${SRC}(http|sockets|cli)/`;
const HANDLERS = `${SRC}handlers/`;
const SERVICES = `${SRC}services/`;
const DELIVERY = `${SRC}delivery/`;
const WS = `${SRC}ws/`;
const SHARED = [`${SRC}(lib|data)/`, `${SRC}(config|logger)\\.ts$`];

/** A forbidden dependency from `from` to any path in `to`. */
function layer(name, comment, from, to) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: to } };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other (directly or around a loop) cannot be understood or tested apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Two folders that import each other are one module in two places; one of them is in the wrong layer.',
      severity: 'error',
      scope: 'folder',
      // Known-violation baselines do not cover folder rules: a folder cycle always fails.
      from: { path: '^(server/src|sdk/src|generated/src)/' },
      to: { circular: true },
    },
    {
      name: 'root-is-on-top',
      comment: 'Only the composition root wires the server together; nothing below imports it back.',
      severity: 'error',
      from: { path: SRC, pathNot: ROOT },
      to: { path: ROOT },
    },
    layer(
      'routes-above-handlers',
      'Handlers, services, delivery and stores know no route (ws/ has its own rule below).',
      `${SRC}(handlers|services|delivery|db|channels|presence|sequences|redis|auth|lib|data)/`,
      ROUTES,
    ),
    layer(
      'handlers-above-services',
      'Services, delivery and stores know no handler.',
      `${SRC}(services|delivery|db|channels|presence|sequences|redis|auth|lib|data)/`,
      HANDLERS,
    ),
    layer('services-above-stores', 'Stores know no service.', `${SRC}(db|channels|presence|sequences|redis|auth|lib|data)/`, SERVICES),
    layer(
      'delivery-is-an-adapter',
      'Services reach delivery only through their DomainEvents port; stores deliver nothing.',
      `${SRC}(services|db|channels|presence|sequences|redis|auth|lib|data)/`,
      DELIVERY,
    ),
    {
      name: 'ws-is-transport-only',
      comment: 'ws/ is the transport: it imports its own files, lib/ and @switchboard/protocol, nothing else of the server.',
      severity: 'error',
      from: { path: WS },
      to: { path: SRC, pathNot: [WS, ...SHARED] },
    },
    {
      name: 'services-use-no-transport',
      comment: 'Services hold rules: no wire, no sockets. They reach sockets through delivery/.',
      severity: 'error',
      from: { path: `${SRC}(services|db|channels|presence|sequences|redis|auth)/` },
      to: { path: WS },
    },
    {
      name: 'no-database-types-above-services',
      comment: 'Handlers, routes and ws/ get data through services; database types and repositories stay below them.',
      severity: 'error',
      from: { path: `${SRC}(handlers|http|sockets|ws)/` },
      to: { path: `${SRC}db/` },
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'lib/, data/, config.ts and logger.ts are usable by every layer, so they import none of them.',
      severity: 'error',
      from: { path: SHARED },
      to: { path: SRC, pathNot: SHARED },
    },
    {
      name: 'sdk-is-not-the-server',
      comment: 'The SDK runs in browsers and other processes: it depends on @switchboard/protocol only.',
      severity: 'error',
      from: { path: '^sdk/' },
      to: { path: '^(server|test|scripts)/' },
    },
    {
      name: 'generated-is-self-contained',
      comment: 'generated/ is codegen output; it imports npm packages and its own files, nothing of ours.',
      severity: 'error',
      from: { path: '^generated/' },
      to: { path: '^(server|sdk|test|scripts|specs)/' },
    },
    {
      name: 'product-code-imports-no-tests',
      comment: 'Test helpers and scripts are not shipped.',
      severity: 'error',
      from: { path: '^(server|sdk|generated)/src/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^generated/src/validators/' },
    // Type-only imports are dependencies too: a layer that imports a type of a layer above it is coupled to it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // The workspace packages resolve to their sources (as for tsc and vitest), built or not.
      conditionNames: ['switchboard-source', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
