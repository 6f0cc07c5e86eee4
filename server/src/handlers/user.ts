/** Handlers of the /ws socket's actions: thin, typed by the generated registry. */
import type { UserActions } from '@switchboard/protocol';
import type { Handlers } from '../ws/dispatcher.ts';
import type { Connection } from '../ws/connection.ts';

/** What a /ws handler gets besides its payload. */
export interface UserContext {
  connection: Connection;
}

/** Every /ws action's handler; `satisfies` makes a missing one a compile error. */
export const userHandlers = {
  ping: () => ({ pong: true, time: new Date().toISOString() }),
  echo: ({ text }) => ({ text }),
} satisfies Handlers<UserActions, UserContext>;
