/**
 * Internals the test suites drive directly (`@switchboard/server/testing`): the storage layer,
 * the channel layers and presence stores, the credential cache. Not a stable API: the package's
 * public surface is `@switchboard/server` (index.ts).
 */
export * from './db/index.ts';
export * from './channels/index.ts';
export * from './presence/index.ts';
export { DELETE_IF_UNCHANGED } from './presence/redis-presence-layout.ts';
export { createCredentialCache, revocationKey, type CredentialCache } from './services/credential-cache.ts';
export { hashSecret } from './auth/secrets.ts';
export { LOCK_FILE, lockDataDir, DataDirLockedError } from './db/data-dir-lock.ts';
export { commandSpecs, commandNames } from './cli/commands.ts';
export { parseArguments } from './cli/parse-args.ts';
export { runCli } from './cli/run.ts';
