/** The commands on one app's resources, through a server's REST API with the app's API key. */
import { createRestClient } from '@switchboard/sdk';
import type { components } from '@switchboard/protocol/openapi';
import type { Command } from './commands.ts';
import { runMessageCommand, type MessageCommand } from './message-commands.ts';
import { runJobKindCommand, type JobKindCommand } from './job-kind-commands.ts';
import { reaching } from './rest-operator.ts';
import { quote, table, type Printed } from './output.ts';
import type { AppTarget } from './target.ts';
import { UsageError } from './usage-error.ts';
import { runUserCommand, type UserCommand } from './user-commands.ts';

type Schemas = components['schemas'];
type Room = Schemas['RoomList']['items'][number];
type RoomCommand = Extract<Command, { kind: `rooms ${string}` | `endpoints ${string}` }>;
/** Every command that runs with an app's API key. */
export type AppCommand = RoomCommand | MessageCommand | UserCommand | JobKindCommand;

/** What app commands read besides their arguments: stdin, for --password-stdin and `messages publish <room> -`. */
export interface AppInput {
  /** The first line of stdin, never empty. */
  readPassword(): Promise<string>;
  /** All of stdin. */
  readAll(): Promise<string>;
}

const SHOWN_ONCE = 'Keep it now: it is shown this once, and only its hash is stored.';

/** Runs `command` against the app `target.apiKey` names. */
export async function runAppCommand(command: AppCommand, target: AppTarget, input: AppInput): Promise<Printed> {
  const rest = createRestClient({ baseUrl: target.url, apiKey: target.apiKey });
  const reach = reaching(target.url);
  if (command.kind.startsWith('messages ')) return runMessageCommand(command as MessageCommand, rest, reach, input);
  if (command.kind.startsWith('kinds ')) return runJobKindCommand(command as JobKindCommand, rest, reach, input);
  if (command.kind.startsWith('users ') || command.kind.startsWith('tokens '))
    return runUserCommand(command as UserCommand, rest, reach, input);
  return runRoomCommand(command as RoomCommand, rest, reach);
}

async function runRoomCommand(command: RoomCommand, rest: ReturnType<typeof createRestClient>, reach: ReturnType<typeof reaching>) {
  switch (command.kind) {
    case 'rooms list': {
      const list = await reach(rest.rooms.list());
      return { json: list, text: list.items.length === 0 ? ['No rooms.'] : roomsTable(list.items) };
    }
    case 'rooms get': {
      const room = await reach(rest.rooms.get(command.room));
      return { json: room, text: roomsTable([room]) };
    }
    case 'rooms create': {
      const room = await reach(rest.rooms.create({ name: command.name, ...command.settings }));
      return { json: room, text: [`Created room ${quote(room.name)}`, ...roomsTable([room])] };
    }
    case 'rooms update': {
      if (Object.keys(command.settings).length === 0)
        throw new UsageError('nothing to change: give --title, --staff-only or --history', 'rooms update');
      const room = await reach(rest.rooms.update(command.room, command.settings));
      return { json: room, text: [`Updated room ${quote(room.name)}`, ...roomsTable([room])] };
    }
    case 'rooms delete':
      await reach(rest.rooms.delete(command.room));
      return { json: { room: command.room, deleted: true }, text: [`Deleted room ${quote(command.room)}`] };
    case 'rooms members': {
      const list = await reach(rest.rooms.members(command.room));
      return {
        json: list,
        text:
          list.items.length === 0
            ? [`Nobody is in ${quote(command.room)}.`]
            : table(
                ['id', 'username', 'staff'],
                list.items.map((m) => [m.id, quote(m.username), m.staff ? 'yes' : 'no']),
              ),
      };
    }
    case 'rooms notify': {
      const sent = await reach(rest.rooms.notify(command.room, command.notification as Schemas['NotificationCreate']));
      return { json: sent, text: [`Notified the members of ${quote(command.room)}`] };
    }
    case 'endpoints list': {
      const list = await reach(rest.endpoints.list(command.room));
      return {
        json: list,
        text:
          list.items.length === 0
            ? [`No endpoints in ${quote(command.room)}.`]
            : table(
                ['id', 'permissions', 'identity', 'connections', 'expires', 'created'],
                list.items.map((e) => [e.id, e.permissions, quote(e.identity), String(e.connections), e.expiresAt ?? 'never', e.createdAt]),
              ),
      };
    }
    case 'endpoints create': {
      const permissions = command.permissions as Schemas['EndpointCreate']['permissions'];
      const endpoint = await reach(
        rest.endpoints.create(command.room, {
          permissions,
          ...(command.identity === undefined ? {} : { identity: command.identity }),
          ...(command.expiresAt === undefined ? {} : { expiresAt: command.expiresAt }),
        }),
      );
      return { json: endpoint, text: [`Created a ${endpoint.permissions} endpoint in ${quote(command.room)}`, ...codeLines(endpoint)] };
    }
    case 'endpoints rotate': {
      const endpoint = await reach(
        rest.endpoints.rotate(command.room, command.endpointId, command.expiresAt === undefined ? {} : { expiresAt: command.expiresAt }),
      );
      return { json: endpoint, text: [`Gave endpoint ${endpoint.id} a new code (the old one no longer works)`, ...codeLines(endpoint)] };
    }
    case 'endpoints delete':
      await reach(rest.endpoints.delete(command.room, command.endpointId));
      return {
        json: { room: command.room, endpointId: command.endpointId, deleted: true },
        text: [`Deleted endpoint ${command.endpointId}`],
      };
    default:
      return command satisfies never;
  }
}

function codeLines(endpoint: Schemas['EndpointCreated']): string[] {
  return [
    `  id       ${endpoint.id}`,
    `  code     ${endpoint.code}`,
    `  path     ${endpoint.path}`,
    `  expires  ${endpoint.expiresAt ?? 'never'}`,
    SHOWN_ONCE,
  ];
}

function roomsTable(rooms: readonly Room[]): string[] {
  return table(
    ['name', 'title', 'staff only', 'history', 'last seq', 'created'],
    rooms.map((r) => [
      quote(r.name),
      r.title === undefined || r.title === null ? '-' : quote(r.title),
      r.staffOnly ? 'yes' : 'no',
      r.history ? 'yes' : 'no',
      String(r.lastSeq),
      r.createdAt,
    ]),
  );
}
