/**
 * Helpers of the SDK client suites: wait for states and rejections, never for time.
 */
import { createClient } from '@switchboard/sdk';
import type { ClientEvents, ClientOptions, ConnectionState, SwitchboardClient } from '@switchboard/sdk';

type StateName = ConnectionState['state'];
type StateOf<S extends StateName> = Extract<ConnectionState, { state: S }>;

function isState<S extends StateName>(state: ConnectionState, name: S): state is StateOf<S> {
  return state.state === name;
}

/** Resolves with the next state named `name` the client enters (listen before causing it). */
export function nextState<S extends StateName>(client: SwitchboardClient, name: S): Promise<StateOf<S>> {
  return new Promise((resolve) => {
    const stop = client.on('state', (state) => {
      if (!isState(state, name)) return;
      stop();
      resolve(state);
    });
  });
}

/** Resolves with the next `event` whose payload passes `accept` (listen before causing it). */
export function nextEvent<E extends keyof ClientEvents & string>(
  client: SwitchboardClient,
  event: E,
  accept: (payload: ClientEvents[E]) => boolean = () => true,
): Promise<ClientEvents[E]> {
  return new Promise((resolve) => {
    const stop = client.on(event, (payload) => {
      if (!accept(payload)) return;
      stop();
      resolve(payload);
    });
  });
}

/** Resolves with the reason a promise rejected; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A notification payload the spec accepts. */
export const notification = { message: 'hello', level: 'info', at: '2025-01-01T00:00:00.000Z' } as const;

/** A client of the fake server with millisecond reconnect delays, so reconnect tests run fast. */
export function connect(url: string, options: Partial<ClientOptions> = {}): SwitchboardClient {
  return createClient({ url, reconnect: { minDelayMs: 1, maxDelayMs: 8 }, ...options });
}
