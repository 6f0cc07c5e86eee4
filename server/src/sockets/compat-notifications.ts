/**
 * The notifications demo's socket, for its deployed clients (specs/asyncapi.yaml, channel
 * `notifications`, `x-compat`): `/ws/notifications` and the demo's own `/ws/user/notifications/`.
 * It speaks the demo's frames, not the envelope: no `connected` greeting, `{"command", "message"?}`
 * in, `{"message_type", "message"}` out. Frames are bounded and rate-limited like every socket's;
 * nothing is pushed on this route (the user topics carry envelope frames).
 */
import { toSwitchboardError, SwitchboardError } from '../lib/errors.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import {
  runNotificationsCommand,
  type NotificationsAnswer,
  type NotificationsCommand,
  type NotificationsSession,
} from '../handlers/compat-notifications.ts';
import type { Services } from '../services/index.ts';
import type { Connection } from '../ws/connection.ts';
import { refused, type Dispatch } from '../ws/dispatcher.ts';
import type { AcceptSocket } from '../ws/socket-contract.ts';
import { acceptSockets, type SocketDeps } from './socket-accept.ts';

/** The paths of the route: Switchboard's and the demo's own. */
export const NOTIFICATIONS_PATHS = ['/ws/notifications', '/ws/user/notifications'] as const;

const COMMANDS = new Set(['authorize', 'quote', 'joke', 'ping']);
const MAX_MESSAGE = 4096;

interface Context {
  session: NotificationsSession;
  services: Services;
}

class NotificationsSocketSession implements NotificationsSession {
  readonly #connection: Connection;
  #principal: UserPrincipal | undefined;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  get principal(): UserPrincipal | undefined {
    return this.#principal;
  }

  authorize(principal: UserPrincipal): void {
    this.#principal = principal;
    this.#connection.expireAt(principal.expiresAt);
  }
}

/** Reads an untrusted frame as a demo command (the spec's NotificationsCommand), or undefined. */
export function readCommand(value: unknown): NotificationsCommand | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { command, message, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof command !== 'string' || !COMMANDS.has(command)) return undefined;
  if (message !== undefined && (typeof message !== 'string' || message.length > MAX_MESSAGE)) return undefined;
  return message === undefined
    ? { command: command as NotificationsCommand['command'] }
    : { command: command as NotificationsCommand['command'], message };
}

function dispatcher(maxFrameBytes: number): Dispatch<Context> {
  return async (peer, context, text, refusal) => {
    const send = (answer: NotificationsAnswer) => peer.send(JSON.stringify(answer));
    const fail = (error: SwitchboardError) => send({ message_type: 'error', message: error.toWire() });
    // Refused on arrival (over the rate, or the inbox full): answered, never run.
    if (refusal) return void fail(refused(refusal));
    if (text.length * 3 > maxFrameBytes && Buffer.byteLength(text) > maxFrameBytes) {
      peer.malformed();
      return void fail(new SwitchboardError('frame_too_large', undefined, { maxBytes: maxFrameBytes }));
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Counted like any route's malformed frame: too many close the socket (4500).
      peer.malformed();
      return void fail(new SwitchboardError('bad_request', 'The frame is not valid JSON.'));
    }
    const command = readCommand(value);
    if (!command) {
      peer.malformed();
      return void fail(
        new SwitchboardError('bad_request', 'Expected {"command": "authorize" | "quote" | "joke" | "ping", "message"?: string}.'),
      );
    }
    try {
      for (const answer of await runNotificationsCommand(command, context)) send(answer);
    } catch (err) {
      fail(toSwitchboardError(err, (cause) => peer.log.error({ err: cause }, 'a notifications command failed')));
    }
  };
}

/** Builds the accept function of the notifications-demo route. */
export function notificationsSocket(options: SocketDeps): AcceptSocket {
  const { services } = options;
  return acceptSockets<undefined, Context>(options, {
    channel: 'notifications',
    // Tokens come inside its commands: the socket counts under its address only.
    countedAs: () => ({}),
    authenticate: () => Promise.resolve(undefined),
    greet: false,
    createContext: (connection) => ({ session: new NotificationsSocketSession(connection), services }),
    dispatch: dispatcher(options.config.maxFrameBytes),
  });
}
