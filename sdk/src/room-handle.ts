import { isRecord } from './json.ts';
import type { CallAction, CallOptions, ChatListeners, JoinedRoom, RoomHandle } from './types.ts';

/** What a room handle needs from its client. */
export interface RoomHandleHost {
  call: CallAction;
  on: ChatListeners['on'];
}

/**
 * Turns a `chat.join` answer into a handle of the room: `on` filters the client's `chat.*`
 * events by room, `send`/`history`/`leave` name the room for the caller. The handle is the
 * answer itself (`const { members } = await client.chat.join(...)` keeps working).
 */
export function roomHandle(host: RoomHandleHost, input: unknown, answer: unknown): JoinedRoom {
  const name = isRecord(input) && typeof input.room === 'string' ? input.room : '';
  const stops = new Set<() => void>();
  const handle: RoomHandle = {
    name,
    on(event, listener) {
      const stop = host.on(event, (payload) => {
        if ((payload as { room?: unknown }).room === name) listener(payload);
      });
      stops.add(stop);
      return () => {
        stops.delete(stop);
        stop();
      };
    },
    send: (message, options?: CallOptions) => host.call('chat.send', { ...message, room: name }, options) as ReturnType<RoomHandle['send']>,
    history: (query = {}, options?: CallOptions) =>
      host.call('chat.history', { ...query, room: name }, options) as ReturnType<RoomHandle['history']>,
    leave(options?: CallOptions) {
      for (const stop of stops) stop();
      stops.clear();
      return host.call('chat.leave', { room: name }, options) as ReturnType<RoomHandle['leave']>;
    },
  };
  // The answer was checked when `validate` is on; otherwise the server is trusted (as `request` does).
  return Object.assign((isRecord(answer) ? answer : {}) as Omit<JoinedRoom, keyof RoomHandle>, handle);
}
