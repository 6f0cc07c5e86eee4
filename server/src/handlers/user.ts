/** Handlers of the /ws socket's actions: thin, typed by the generated registry. */
import type { UserActions } from '@switchboard/protocol';
import { userInfo } from '../auth/principal.ts';
import { jokes, quotes } from '../data/quotes.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { Handlers } from '../ws/dispatcher.ts';
import { chatHandlers } from './chat.ts';
import { jobHandlers } from './jobs.ts';
import { requireUser, type HandlerContext, type UserSession } from './context.ts';

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Every /ws action's handler; `satisfies` makes a missing one a compile error. */
export const userHandlers = {
  ping: () => ({ pong: true, time: new Date().toISOString() }),
  echo: ({ text }) => ({ text }),
  authorize: async ({ token }, { session, services }) => {
    const principal = await services.users.principalOf(token);
    const current = session.principal;
    if (current.kind === 'user' && current.userId !== principal.userId) {
      throw new SwitchboardError('unauthenticated', 'This socket is already authorized as another user.');
    }
    await session.authorize(principal);
    return { user: userInfo(principal) };
  },
  quote: () => pick(quotes),
  joke: () => pick(jokes),
  'rooms.list': async (_input, { session, services }) => ({ rooms: await services.rooms.list(requireUser(session).appId) }),
  ...chatHandlers,
  ...jobHandlers,
} satisfies Handlers<UserActions, HandlerContext<UserSession>>;
