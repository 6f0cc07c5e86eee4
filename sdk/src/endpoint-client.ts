import { endpointActions, type EndpointActions } from '@switchboard/protocol';
import { socketActions } from './action-tree.ts';
import { SocketClient } from './socket-client.ts';
import type { EndpointClient, EndpointClientEvents, EndpointClientOptions, PayloadArgs, SocketCore } from './types.ts';

/**
 * Creates a client of an endpoint socket (`/ws/endpoint/<code>`, the communication server's
 * rooms): `message.send` and `ping`, typed from the spec, the `message` and `room.deleted`
 * events, and the same reconnection, timeouts and `disconnect()`/`reconnect()` as `createClient`.
 * The code is the credential: a revoked one is refused at the upgrade, which reconnects with
 * backoff (a browser cannot tell it from a network fault).
 *
 * @example
 * await using bot = createEndpointClient({ url: 'wss://example.com', code });
 * bot.on('message', (m) => console.log(m.sender.identity, m.data));
 * await bot.message.send({ data: { text: 'hello' } }, { timeoutMs: 2_000 });
 */
export function createEndpointClient(options: EndpointClientOptions): EndpointClient {
  return new EndpointSocketClient(options) as EndpointSocketClient & EndpointClient;
}

class EndpointSocketClient extends SocketClient<EndpointClientEvents> implements SocketCore<EndpointActions, EndpointClientEvents> {
  #url: string;

  constructor(options: EndpointClientOptions) {
    super(options);
    this.#url = new URL(`/ws/endpoint/${encodeURIComponent(options.code)}`, options.url).toString();
    Object.assign(
      this,
      socketActions(this, Object.keys(endpointActions), (action, payload, callOptions) => this.call(action, payload, callOptions)),
    );
    this.start(options.lazy);
  }

  request<A extends keyof EndpointActions & string>(
    action: A,
    ...args: PayloadArgs<EndpointActions[A]['input']>
  ): Promise<EndpointActions[A]['output']> {
    return this.call(action, args[0], args[1]) as Promise<EndpointActions[A]['output']>;
  }

  protected override socketUrl(): Promise<string> {
    return Promise.resolve(this.#url);
  }
}
