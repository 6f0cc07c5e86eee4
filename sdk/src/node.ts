/**
 * The Node entry of @switchboard/sdk: the only file that imports `ws`. It passes `ws` as the
 * WebSocket implementation and wires the spec's frame validators, on by default under test.
 */
import WebSocket from 'ws';
import { createClient as createCoreClient } from './client.ts';
import type { ClientOptions, SwitchboardClient } from './types.ts';
import { validateServerFrame } from './validate.ts';

export * from './index.ts';
export { createFrameValidator, validateServerFrame } from './validate.ts';
export type { ServerFrameValidators } from './validate.ts';

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
    validate: options.validate ?? (process.env.NODE_ENV === 'test' || !!process.env.VITEST),
  });
}
