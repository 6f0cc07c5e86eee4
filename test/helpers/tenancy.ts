/** Shortcuts for tenancy tests: an app with a key, a room, endpoints, over the real REST API. */
import { createRestClient, type RestClient } from '@switchboard/sdk';
import { TEST_ADMIN_TOKEN, type TestServer } from './server.ts';

/** An app created through the operator API, with a REST client holding its key. */
export interface TestApp {
  id: string;
  apiKey: string;
  rest: RestClient;
}

/** Creates an app on `server` and returns it with a REST client using its key. */
export async function createTestApp(server: { url: string }, name = 'test-app'): Promise<TestApp> {
  const operator = createRestClient({ baseUrl: server.url, adminToken: TEST_ADMIN_TOKEN });
  const app = await operator.apps.create({ name });
  return { id: app.id, apiKey: app.apiKey, rest: createRestClient({ baseUrl: server.url, apiKey: app.apiKey }) };
}

/** The operator's REST client. */
export function operator(server: TestServer | { url: string }): RestClient {
  return createRestClient({ baseUrl: server.url, adminToken: TEST_ADMIN_TOKEN });
}

/** A raw HTTP call, for what the typed client cannot express (bad JSON, wrong headers). */
export async function http(
  server: { url: string },
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text
      ? (JSON.parse(text) as { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>)
      : undefined,
  };
}

/** A user of a test app with a fresh access token. */
export interface TestUser {
  id: string;
  username: string;
  token: string;
}

/** Creates a user in `app` (with a password, so sign-in works) and mints a token. */
export async function createTestUser(
  app: TestApp,
  username: string,
  options: { staff?: boolean; expiresIn?: number } = {},
): Promise<TestUser> {
  const user = await app.rest.users.create({ username, password: `${username}-password`, staff: options.staff ?? false });
  const { accessToken } = await app.rest.users.createToken(
    user.id,
    options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn },
  );
  return { id: user.id, username, token: accessToken };
}

/** The /ws URL of a server with a new user's token: an authenticated socket in one line. */
export async function userSocketUrl(server: { url: string; wsUrl: string }): Promise<string> {
  const app = await createTestApp(server, 'socket-tests');
  const user = await createTestUser(app, 'tester');
  return `${server.wsUrl}/ws?token=${user.token}`;
}
