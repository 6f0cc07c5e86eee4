/**
 * The SDK against real server nodes, on both backends: typed calls, typed errors, and the socket
 * still usable after every kind of bad frame the server answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createRestClient, isSwitchboardError } from '@switchboard/sdk';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { userSocketUrl } from '../helpers/tenancy.ts';

describe.each(backends)('SDK against a server on %s', (backend) => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ backend, config: { maxFrameBytes: 1024 } });
    token = new URL(await userSocketUrl(server)).searchParams.get('token')!;
  });
  afterAll(() => server?.close());

  it('pings and echoes with typed results, validating every frame', async () => {
    await using client = createClient({ url: `${server.wsUrl}/ws`, token, validate: true });
    await client.ready();
    expect(client.state).toMatchObject({ state: 'open', node: server.node });
    const pong = await client.ping();
    expect(pong.pong).toBe(true);
    expect((await client.echo({ text: 'typed' })).text).toBe('typed');
  });

  it('rejects an invalid payload with validation_failed and keeps going', async () => {
    await using client = createClient({ url: `${server.wsUrl}/ws`, token, validate: true });
    // The type system forbids this call; a plain JavaScript caller can still make it.
    const error = await client.echo({ text: 7 } as unknown as { text: string }).catch((e: unknown) => e);
    expect(isSwitchboardError(error, 'echo') && error.code).toBe('validation_failed');
    expect((await client.echo({ text: 'after' })).text).toBe('after');
  });

  it('rejects an oversize frame with frame_too_large and keeps going', async () => {
    await using client = createClient({ url: `${server.wsUrl}/ws`, token, validate: true });
    const error = await client.echo({ text: 'x'.repeat(2000) }).catch((e: unknown) => e);
    expect(isSwitchboardError(error) && error.code).toBe('frame_too_large');
    expect((await client.ping()).pong).toBe(true);
  });

  it('rejects an unknown action with unknown_action and keeps going', async () => {
    await using client = createClient({ url: `${server.wsUrl}/ws`, token, validate: true });
    const untyped = client as unknown as { request(action: string, payload: unknown): Promise<unknown> };
    const error = await untyped.request('no.such', {}).catch((e: unknown) => e);
    expect(isSwitchboardError(error) && error.code).toBe('unknown_action');
    expect((await client.ping()).pong).toBe(true);
  });

  it('receives events pushed through the emitter', async () => {
    await using client = createClient({ url: `${server.wsUrl}/ws`, token, validate: true });
    await client.ready();
    const state = client.state;
    if (state.state !== 'open') throw new Error('not open');
    const received = new Promise((resolve) => client.on('notification', resolve));
    await server.emitter
      .toConnection(state.connectionId)
      .emit('notification', { message: 'hi', level: 'success', at: new Date().toISOString() });
    expect(await received).toMatchObject({ message: 'hi', level: 'success' });
  });

  it('reads health and readiness through the REST client', async () => {
    const rest = createRestClient({ baseUrl: server.url });
    expect(await rest.health()).toMatchObject({ status: 'ok', node: server.node });
    expect(await rest.ready()).toEqual({
      status: 'ready',
      checks: backend === 'embedded' ? { database: 'pglite', channels: 'memory' } : { database: 'postgres', channels: 'redis' },
    });
  });
});
