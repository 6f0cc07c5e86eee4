/** Handlers of the endpoint socket's actions: thin, typed by the generated registry. */
import type { EndpointActions } from '@switchboard/protocol';
import type { Kysely } from 'kysely';
import type { Database, JsonValue } from '../db/schema.ts';
import { canWrite, type EndpointPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { DomainEvents } from '../services/events.ts';
import { publishToRoomId } from '../services/messages.ts';
import type { RoomCache } from '../services/room-cache.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import { toRoomMessage } from '../services/wire.ts';
import type { Handlers } from '../ws/dispatcher.ts';

/** What an endpoint handler gets besides its payload. */
export interface EndpointContext {
  principal: EndpointPrincipal;
  db: Kysely<Database>;
  events: DomainEvents;
  sequences: SequenceSource;
  rooms: RoomCache;
}

/** Every endpoint action's handler; `satisfies` makes a missing one a compile error. */
export const endpointHandlers = {
  ping: () => ({ pong: true, time: new Date().toISOString() }),
  'message.send': async ({ data }, ctx) => {
    const { principal } = ctx;
    if (!canWrite(principal.permissions)) throw new SwitchboardError('forbidden', 'This endpoint may only read.');
    const sender = { type: 'endpoint' as const, id: principal.endpointId, identity: principal.identity };
    const { room, message } = await publishToRoomId(ctx, principal.roomId, sender, { data: data as JsonValue });
    return toRoomMessage(room.name, message);
  },
} satisfies Handlers<EndpointActions, EndpointContext>;
