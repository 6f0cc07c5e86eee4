/**
 * The REST emitter, for an app's backend (a queue consumer, a cron job, a request handler in any
 * Node service): publish to a room, notify a user or a room. Each payload is checked against the
 * REST operation's schema before it leaves the process, so a bad one fails at the call site with
 * the offending path instead of as a 422 from the server. A publish carries a `clientId` (a fresh
 * one unless given) and is retried with it on `unavailable` (a network error, a 503): the server
 * answers a repeat with the first message, so a retry never stores or broadcasts it twice.
 */
import type { BodyOf, OperationWithBody, RoomMessage } from '@switchboard/protocol';
import { restBodyValidators } from '@switchboard/protocol/validators';
import { backoff } from './backoff.ts';
import { randomClientId } from './client-id.ts';
import { SwitchboardError } from './errors.ts';
import { createRestClient, type RestClientOptions } from './rest-client.ts';

/** Options of `createEmitter`. */
export interface EmitterOptions {
  /** The server's origin, e.g. `https://switchboard.example.com`. */
  baseUrl: string;
  /** An API key of the app whose rooms and users the emitter addresses. */
  apiKey: string;
  /** @default globalThis.fetch */
  fetch?: RestClientOptions['fetch'];
  /**
   * How many times a publish answered `unavailable` is sent again (with the same `clientId`, so it
   * is stored once), after a full-jitter backoff of 100 ms to 2 s; 0 turns retries off.
   * @default 2
   */
  publishRetries?: number;
}

/** What an emitter sends; each call resolves once the server accepted it. */
export interface BackendEmitter {
  toRoom(room: string): {
    /**
     * Publishes a message as the app; resolves with the stored message (its `seq`). Idempotent: a
     * `clientId` is set unless given, and a retry after `unavailable` reuses it.
     */
    publish(body: BodyOf<'publishMessage'>): Promise<RoomMessage>;
    /** Sends a `notification` to every user socket that joined the room. */
    notify(body: BodyOf<'notifyRoom'>): Promise<void>;
  };
  toUser(userId: string): {
    /** Sends a `notification` to every socket of the user. */
    notify(body: BodyOf<'notifyUser'>): Promise<void>;
  };
}

function checked<Op extends OperationWithBody>(operationId: Op, body: unknown): BodyOf<Op> {
  const validate = restBodyValidators[operationId];
  if (validate(body)) return body as BodyOf<Op>;
  const issues = (validate.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? e.keyword }));
  throw new SwitchboardError('validation_failed', `The ${operationId} body does not match the spec.`, { details: { issues } });
}

/**
 * Creates an emitter over the REST API.
 * @example
 * const emitter = createEmitter({ baseUrl: 'http://127.0.0.1:8080', apiKey });
 * await emitter.toUser(userId).notify({ message: 'Your export is ready', level: 'success' });
 * await emitter.toRoom('lobby').publish({ data: { build: 42, status: 'green' } });
 */
export function createEmitter(options: EmitterOptions): BackendEmitter {
  const rest = createRestClient(options);
  const retries = Math.max(0, options.publishRetries ?? 2);
  const publish = async (room: string, body: BodyOf<'publishMessage'>): Promise<RoomMessage> => {
    const once = checked('publishMessage', { ...body, clientId: body.clientId ?? randomClientId() });
    for (let attempt = 0; ; attempt++) {
      try {
        return await rest.messages.publish(room, once);
      } catch (error) {
        // Only an outage is worth another try; the server deduplicates it by clientId.
        if (!(error instanceof SwitchboardError) || error.code !== 'unavailable' || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff(attempt, 100, 2_000)));
      }
    }
  };
  return {
    toRoom: (room) => ({
      publish: (body) => publish(room, body),
      notify: async (body) => void (await rest.rooms.notify(room, checked('notifyRoom', body))),
    }),
    toUser: (userId) => ({ notify: async (body) => void (await rest.users.notify(userId, checked('notifyUser', body))) }),
  };
}
