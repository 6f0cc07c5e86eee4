/** Handlers of the endpoint socket's actions: thin, typed by the generated registry. */
import type { EndpointActions } from '@switchboard/protocol';
import { canWrite } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { Handlers } from '../ws/dispatcher.ts';
import type { EndpointSession, HandlerContext } from './context.ts';

/** Every endpoint action's handler; `satisfies` makes a missing one a compile error. */
export const endpointHandlers = {
  ping: () => ({ pong: true, time: new Date().toISOString() }),
  'message.send': async ({ data, clientId }, { session, services }) => {
    const { endpoint } = session;
    if (!canWrite(endpoint.permissions)) throw new SwitchboardError('forbidden', 'This endpoint may only read.');
    return services.messages.publishToRoom(
      endpoint.roomId,
      { type: 'endpoint', id: endpoint.endpointId, identity: endpoint.identity },
      clientId === undefined ? { data } : { data, clientId },
    );
  },
} satisfies Handlers<EndpointActions, HandlerContext<EndpointSession>>;
