/** The operator over a running server's REST API, through the SDK. */
import { SwitchboardError, createRestClient } from '@switchboard/sdk';
import type { AppsOperator } from './apps-operator.ts';
import type { Target } from './target.ts';

/** Calls `/v1/apps` on the server with the operator token; errors are the SDK's `SwitchboardError`s. */
export function createRestOperator(target: Extract<Target, { kind: 'rest' }>): AppsOperator {
  const rest = createRestClient({ baseUrl: target.url, adminToken: target.adminToken });
  const reach = reaching(target.url);
  return {
    createApp: (name) => reach(rest.apps.create({ name })),
    listApps: () => reach(rest.apps.list()),
    deleteApp: async (appId) => {
      await reach(rest.apps.delete(appId));
    },
    createKey: (appId) => reach(rest.apps.createKey(appId)),
    revokeKey: async (appId, keyId) => {
      await reach(rest.apps.revokeKey(appId, keyId));
    },
    close: async () => {},
  };
}

/** Names the server when it could not be reached at all, the likeliest mistake being a stopped server or a wrong --url. */
export function reaching(url: string) {
  const host = new URL(url).host;
  return async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (error) {
      // No status: the request never got an HTTP answer (a proxy's 503 keeps its own message).
      if (error instanceof SwitchboardError && error.code === 'unavailable' && error.status === undefined) {
        throw new SwitchboardError('unavailable', `cannot reach the server at ${host} (is it running? see --url): ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  };
}
