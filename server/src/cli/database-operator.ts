/**
 * The operator on the database itself (no server needed): the same services the REST handlers
 * call, with the same body validation, so both targets follow one set of rules.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { restBodyValidators } from '@switchboard/protocol/validators';
import { createChannelLayer, type ChannelLayer } from '../channels/index.ts';
import { createDatabase, type DatabaseHandle } from '../db/create-database.ts';
import { SwitchboardError, validationIssues } from '../lib/errors.ts';
import { createAppService, type AppService } from '../services/index.ts';
import { createBroadcasts } from '../delivery/broadcasts.ts';
import type { AppsOperator, Note } from './apps-operator.ts';
import type { DatabaseTarget, RedisTarget } from './target.ts';
import { UsageError } from './usage-error.ts';

const validateCreateApp = restBodyValidators.createApp;

/** Opens and migrates the database of `target`; a PGlite folder must already hold a database. */
export async function openDatabaseOperator(target: DatabaseTarget, note: Note): Promise<AppsOperator> {
  if (target.kind === 'pglite') await requireExistingDataDir(target.dataDir);
  let handle: DatabaseHandle;
  try {
    handle = await openTargetDatabase(target);
  } catch (error) {
    // createDatabase names the host, never the password.
    throw new SwitchboardError('unavailable', `cannot open the database: ${messageOf(error)}`, undefined, { cause: error });
  }
  const { db } = handle;
  const redis = target.kind === 'postgres' ? target.redis : undefined;
  // Only deleting an app and revoking a key announce anything; they build their own service over the channels they open.
  const apps: AppService = createAppService({
    db,
    events: {
      appDeleted: () => Promise.reject(new Error('only deleteApp delivers events')),
      apiKeyRevoked: () => Promise.reject(new Error('only revokeKey delivers events')),
    },
  });
  /** Runs `task` with an app service whose events reach the servers' sockets (through Redis when there is one). */
  const announcing = async (task: (service: AppService) => Promise<void>): Promise<void> => {
    // Connected first, so an unreachable Redis fails the command with nothing changed. Without
    // Redis, an in-process layer nobody listens to: an embedded database's server is stopped, and
    // no other process's sockets are reachable from here (the notes say so).
    const channels = await openChannels(redis);
    try {
      await task(createAppService({ db, events: createBroadcasts(channels) }));
    } finally {
      await channels.close();
    }
  };
  return {
    async createApp(name) {
      const body = { name };
      if (!validateCreateApp(body)) {
        throw new SwitchboardError('validation_failed', undefined, { issues: validationIssues(validateCreateApp.errors) });
      }
      return apps.create(name);
    },
    listApps: async () => ({ items: await apps.list() }),
    async deleteApp(appId) {
      if (target.kind === 'postgres' && redis === undefined) {
        note(
          "REDIS_URL is not set: this app's sockets already open on a running server stay open until they disconnect. Delete through the server (--url) to close them at once.",
        );
      }
      await announcing((service) => service.delete(appId));
    },
    createKey: (appId) => apps.addKey(appId),
    // A worker socket the key opened on a running server closes (through Redis; see deleteApp).
    revokeKey: (appId, keyId) => announcing((service) => service.revokeKey(appId, keyId)),
    close: () => handle.close(),
  };
}

/** Opens (and migrates, unless told otherwise) the database of `target`. */
export async function openTargetDatabase(target: DatabaseTarget, options: { skipMigrations?: boolean } = {}): Promise<DatabaseHandle> {
  const where = target.kind === 'postgres' ? { url: target.url } : { dataDir: target.dataDir };
  return createDatabase({ ...where, schema: target.schema, onError: () => {}, ...options });
}

async function openChannels(redis: RedisTarget | undefined): Promise<ChannelLayer> {
  if (redis === undefined) return createChannelLayer({ onError: () => {} });
  try {
    return await createChannelLayer({ redisUrl: redis.url, prefix: redis.prefix, onError: () => {} });
  } catch (error) {
    // The channel layer's message names the host, never the password.
    throw new SwitchboardError('unavailable', `nothing was changed: ${messageOf(error)}`, undefined, { cause: error });
  }
}

/** Refuses a PGlite folder that holds no database yet (a typo would otherwise look like an empty store). */
export async function requireExistingDataDir(dataDir: string): Promise<void> {
  // createDatabase would create an empty database in a mistyped folder and report no apps.
  try {
    await access(join(resolve(dataDir), 'PG_VERSION'));
  } catch {
    throw new UsageError(`no embedded database in ${dataDir}: check the folder, or start the server on it once (DATA_DIR)`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
