/** Apps and their API keys: operator-only rules, and which app an API key opens. */
import type { ApiKeyCreated, App as WireApp, AppCreated } from '@switchboard/protocol';
import * as repo from '../db/app.repository.ts';
import { API_KEY_PREFIX, hashSecret, keyPrefix, randomSecret } from '../auth/secrets.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceDeps } from './context.ts';
import type { DomainEvents } from './events.ts';
import { toApiKey, toApp } from './wire.ts';

/** The app a request acts for, as an API key proved it. */
export interface AppRef {
  readonly id: string;
  readonly name: string;
  /** The API key that authenticated, when one did: a socket it opened closes when it is revoked. */
  readonly keyId?: string;
}

/** Apps and their keys. */
export interface AppService {
  /** Creates an app with its first key; the key is returned in clear this once. */
  create(name: string): Promise<AppCreated>;
  /** Every app with its live keys. */
  list(): Promise<WireApp[]>;
  /** Deletes an app and everything it owns, then closes its sockets on every node. */
  delete(appId: string): Promise<void>;
  /** Adds a key to an app (for rotation); returned in clear this once. */
  addKey(appId: string): Promise<ApiKeyCreated>;
  /** Revokes one key of an app. */
  revokeKey(appId: string, keyId: string): Promise<void>;
  /** The app an `API-Key` opens; `unauthenticated` for an unknown or revoked key. */
  authenticate(apiKey: string): Promise<AppRef>;
}

/** Creates the app service; it needs only the database and the `appDeleted` event (the CLI builds it alone). */
export function createAppService(
  deps: Pick<ServiceDeps, 'db'> & { events: Pick<DomainEvents, 'appDeleted' | 'apiKeyRevoked'> },
): AppService {
  const { db, events } = deps;
  return {
    async create(name) {
      const apiKey = randomSecret(API_KEY_PREFIX);
      const { app, key } = await db.transaction().execute(async (trx) => {
        const app = await repo.createApp(trx, { name });
        return { app, key: await repo.addApiKey(trx, { appId: app.id, prefix: keyPrefix(apiKey), hash: hashSecret(apiKey) }) };
      });
      const { keys: _none, ...shown } = toApp(app, []);
      return { ...shown, apiKey, keyId: key.id };
    },
    async list() {
      const apps = await repo.listApps(db);
      // Revoked keys stay in the table for audit, but the list shows what still opens the API.
      return Promise.all(
        apps.map(async (app) =>
          toApp(
            app,
            (await repo.listApiKeys(db, app.id)).filter((key) => !key.revoked_at),
          ),
        ),
      );
    },
    async delete(appId) {
      if (!(await repo.deleteApp(db, appId))) throw new SwitchboardError('not_found', 'No such app.');
      await events.appDeleted(appId);
    },
    async addKey(appId) {
      if (!(await repo.getApp(db, appId))) throw new SwitchboardError('not_found', 'No such app.');
      const apiKey = randomSecret(API_KEY_PREFIX);
      const key = await repo.addApiKey(db, { appId, prefix: keyPrefix(apiKey), hash: hashSecret(apiKey) });
      return { ...toApiKey(key), apiKey };
    },
    async revokeKey(appId, keyId) {
      if (!(await repo.revokeApiKey(db, appId, keyId))) throw new SwitchboardError('not_found', 'No such key.');
      // REST checks the key on every request; a socket it opened (a worker) must close too.
      await events.apiKeyRevoked(keyId);
    },
    async authenticate(apiKey) {
      const found = apiKey.length <= 200 ? await repo.findActiveApiKeyByHash(db, hashSecret(apiKey)) : undefined;
      if (!found) throw new SwitchboardError('unauthenticated', 'The API key is not valid or was revoked.');
      return { id: found.app.id, name: found.app.name, keyId: found.key.id };
    },
  };
}
