import { describe, expect, test } from 'vitest';
import { SwitchboardError, createRestClient } from '@switchboard/sdk';

/** A fetch that records its requests and answers with `respond`. */
function fakeFetch(respond: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    return respond(request);
  };
  return { fetch, requests };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createRestClient', () => {
  test('returns the typed body and sends the credentials', async () => {
    const { fetch, requests } = fakeFetch(() => json({ status: 'ok', node: 'n1', version: '0.1.0' }));
    const rest = createRestClient({ baseUrl: 'http://switchboard.test', apiKey: 'k-1', token: 't-1', fetch });
    expect(await rest.health()).toEqual({ status: 'ok', node: 'n1', version: '0.1.0' });
    const [request] = requests;
    expect(request?.url).toBe('http://switchboard.test/healthz');
    expect(request?.headers.get('API-Key')).toBe('k-1');
    expect(request?.headers.get('Authorization')).toBe('Bearer t-1');
  });

  test('throws the error body as a SwitchboardError with its code, details and status', async () => {
    const details = { database: 'down', channels: 'ok' };
    const { fetch } = fakeFetch(() => json({ error: { code: 'unavailable', message: 'not ready', details } }, 503));
    const error = await thrown(createRestClient({ baseUrl: 'http://switchboard.test', fetch }).ready());
    expect(error).toBeInstanceOf(SwitchboardError);
    expect(error).toMatchObject({ code: 'unavailable', message: 'not ready', details, status: 503, action: undefined });
  });

  test('maps bodies outside the spec by status: gateway errors to unavailable, others to internal', async () => {
    const gateway = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    expect(await thrown(createRestClient({ baseUrl: 'http://x.test', fetch: gateway.fetch }).health())).toMatchObject({
      code: 'unavailable',
      status: 502,
    });
    const crash = fakeFetch(() => json({ oops: true }, 500));
    expect(await thrown(createRestClient({ baseUrl: 'http://x.test', fetch: crash.fetch }).health())).toMatchObject({
      code: 'internal',
      status: 500,
    });
    const empty = fakeFetch(() => new Response(null, { status: 404 }));
    expect(await thrown(createRestClient({ baseUrl: 'http://x.test', fetch: empty.fetch }).health())).toMatchObject({
      code: 'internal',
      status: 404,
    });
  });

  test('a failed fetch becomes unavailable, keeping the cause', async () => {
    const cause = new TypeError('fetch failed');
    const { fetch } = fakeFetch(() => Promise.reject(cause));
    const error = await thrown(createRestClient({ baseUrl: 'http://x.test', fetch }).health());
    expect(error).toMatchObject({ code: 'unavailable', cause });
  });
});
