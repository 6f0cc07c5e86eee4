/**
 * Publishes events to sockets from anywhere in a backend: a REST handler, a worker, another
 * process with the same channel layer. The frame is encoded once here; every node with members
 * writes those bytes as they are.
 */
import type { UserEvents } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import { addressConnection } from '../ws/direct.ts';
import { encodeUserEvent } from './broadcasts.ts';

/** Where an event goes. */
export interface EmitTarget {
  /** Sends one event; resolves once the channel layer accepted it. */
  emit<E extends keyof UserEvents & string>(event: E, payload: UserEvents[E]): Promise<void>;
}

/** Sends events to connections wherever they are connected. */
export interface Emitter {
  /** One connection, by the id its `connected` event announced. */
  toConnection(connectionId: string): EmitTarget;
}

/**
 * Creates an emitter over a channel layer.
 * @example
 * const emitter = createEmitter(await createChannelLayer({ redisUrl }));
 * await emitter.toConnection(id).emit('notification', { message: 'Build finished', level: 'success', at: new Date().toISOString() });
 */
export function createEmitter(channels: ChannelLayer): Emitter {
  return {
    toConnection: (connectionId) => ({
      emit: (event, payload) => {
        const { topic, message } = addressConnection(connectionId, encodeUserEvent(event, payload));
        return channels.publish(topic, message);
      },
    }),
  };
}
