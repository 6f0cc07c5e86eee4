/**
 * The Node entry of @switchboard/sdk: the only file that imports `ws`. It passes `ws` as the
 * WebSocket implementation and wires the spec's frame validators, on by default under test.
 */
import WebSocket from 'ws';
import { createClient as createCoreClient } from './client.ts';
import { createEndpointClient as createCoreEndpointClient } from './endpoint-client.ts';
import { createWorker as createCoreWorker, type Worker, type WorkerKindMap, type WorkerOptions } from './worker.ts';
import type { ClientOptions, EndpointClient, EndpointClientOptions, SwitchboardClient } from './types.ts';
import { validateEndpointFrame, validateServerFrame, validateWorkerFrame } from './validate.ts';

export * from './index.ts';
export { createFrameValidator, validateEndpointFrame, validateServerFrame, validateWorkerFrame } from './validate.ts';
export type { ServerFrameValidators } from './validate.ts';
export { createEmitter } from './backend-emitter.ts';
export type { BackendEmitter, EmitterOptions } from './backend-emitter.ts';

const underTest = () => process.env.NODE_ENV === 'test' || !!process.env.VITEST;

/**
 * Creates a Switchboard socket client on `ws`; under test (`NODE_ENV=test` or Vitest) every
 * server frame is validated against the spec unless `validate: false` is passed.
 *
 * @example
 * await using client = createClient({ url: 'ws://127.0.0.1:8080/ws', token });
 * await client.ping();
 */
export function createClient(options: ClientOptions): SwitchboardClient {
  return createCoreClient({
    ...options,
    WebSocket: options.WebSocket ?? WebSocket,
    validator: options.validator ?? validateServerFrame,
    validate: options.validate ?? underTest(),
  });
}

/**
 * Creates an endpoint socket client on `ws`, validating frames under test as `createClient` does.
 *
 * @example
 * await using bot = createEndpointClient({ url: 'ws://127.0.0.1:8080', code });
 * await bot.message.send({ data: { text: 'hello' } });
 */
export function createEndpointClient(options: EndpointClientOptions): EndpointClient {
  return createCoreEndpointClient({
    ...options,
    WebSocket: options.WebSocket ?? WebSocket,
    validator: options.validator ?? validateEndpointFrame,
    validate: options.validate ?? underTest(),
  });
}

/**
 * Creates a worker of the app's job kinds on `ws`, validating frames under test as `createClient` does.
 *
 * @example
 * await using worker = createWorker({ baseUrl: 'http://127.0.0.1:8080', apiKey, kinds: { report: async (p) => ({ url: '...' }) } });
 */
export function createWorker<K extends WorkerKindMap = WorkerKindMap>(options: WorkerOptions<K>): Worker {
  return createCoreWorker<K>({
    ...options,
    WebSocket: options.WebSocket ?? WebSocket,
    validator: options.validator ?? validateWorkerFrame,
    validate: options.validate ?? underTest(),
  });
}
