/**
 * The notifications demo's commands, as the demo answered them (specs/asyncapi.yaml, channel
 * `notifications`): `{"command", "message"?}` in, `{"message_type", "message"}` frames out.
 * The rules are the user socket's (the same tokens, the same quotes and jokes).
 */
import type { UserPrincipal } from '../auth/principal.ts';
import { jokes, quotes } from '../data/quotes.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { Services } from '../services/index.ts';

/** A command frame of the demo, checked by the route. */
export interface NotificationsCommand {
  command: 'authorize' | 'quote' | 'joke' | 'ping';
  message?: string;
}

/** One answer frame of the demo. */
export interface NotificationsAnswer {
  message_type: 'authentication' | 'greet' | 'quote' | 'joke' | 'pong' | 'error';
  message: unknown;
}

/** What a demo socket is: anonymous until `authorize`. */
export interface NotificationsSession {
  readonly principal: UserPrincipal | undefined;
  /** Makes the socket this user's (and closes it at the token's expiry). */
  authorize(principal: UserPrincipal): void;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Runs one command; throws a SwitchboardError the route answers as `message_type: error`. */
export async function runNotificationsCommand(
  { command, message }: NotificationsCommand,
  { session, services }: { session: NotificationsSession; services: Services },
): Promise<NotificationsAnswer[]> {
  if (command === 'ping') return [{ message_type: 'pong', message: '' }];
  if (command === 'authorize') {
    const principal = await services.users.principalOf(message ?? '');
    const current = session.principal;
    if (current && current.userId !== principal.userId) {
      throw new SwitchboardError('unauthenticated', 'This socket is already authorized as another user.');
    }
    session.authorize(principal);
    return [
      { message_type: 'authentication', message: 'Authorization successful' },
      { message_type: 'greet', message: `Welcome, ${principal.username}! You are now connected. Cheers!` },
    ];
  }
  if (!session.principal) throw new SwitchboardError('unauthenticated', 'Authorize the socket first.');
  if (command === 'quote') {
    const { text, author } = pick(quotes);
    return [{ message_type: 'quote', message: { quote: text, author } }];
  }
  const { setup, punchline } = pick(jokes);
  return [{ message_type: 'joke', message: { joke_type: 'twopart', setup, delivery: punchline } }];
}
