/** The commands on one app's resources (rooms, endpoints, messages, users, tokens), with its API key. */
import {
  at,
  codeExpiry,
  jsonValue,
  wholeNumber,
  yesNo,
  type CommandFlags,
  type CommandSpecs,
  type NotificationInput,
  type RoomSettings,
  type UserChanges,
} from './command-types.ts';
import { UsageError } from './usage-error.ts';

function roomSettings(flags: CommandFlags): RoomSettings {
  const staffOnly = yesNo(flags, 'staffOnly');
  const history = yesNo(flags, 'history');
  return {
    ...(flags.title === undefined ? {} : { title: flags.title }),
    ...(staffOnly === undefined ? {} : { staffOnly }),
    ...(history === undefined ? {} : { history }),
  };
}

function userChanges(flags: CommandFlags): UserChanges {
  const both = (a: boolean, b: boolean, names: string) => {
    if (a && b) throw new UsageError(`give ${names}, not both`);
  };
  both(flags.staff === true, flags.noStaff === true, '--staff or --no-staff');
  both(flags.displayName !== undefined, flags.noDisplayName === true, '--display-name or --no-display-name');
  both(flags.passwordStdin === true, flags.noPassword === true, '--password-stdin or --no-password');
  const changes: UserChanges = {
    ...(flags.staff === true ? { staff: true } : flags.noStaff === true ? { staff: false } : {}),
    ...(flags.displayName !== undefined ? { displayName: flags.displayName } : flags.noDisplayName === true ? { displayName: null } : {}),
    ...(flags.passwordStdin === true ? { password: 'stdin' as const } : flags.noPassword === true ? { password: null } : {}),
  };
  if (Object.keys(changes).length === 0) {
    throw new UsageError('nothing to change: give --display-name, --staff, --no-staff, --password-stdin or --no-password');
  }
  return changes;
}

function notification(args: readonly string[], flags: CommandFlags): NotificationInput {
  // The level is checked by the server against the spec's enum (validation_failed names it).
  return {
    message: at(args, 1),
    level: flags.level ?? 'info',
    ...(flags.data === undefined ? {} : { data: jsonValue(flags.data, '--data') }),
  };
}

const ROOM_FLAGS = ['title', 'staffOnly', 'history'] as const;
const ROOM_FLAGS_ABOUT =
  'Flags: --title <text>, --staff-only true|false (only staff users may join), --history true|false\n(whether messages are kept for history and recovery).';
const EXPIRY_ABOUT =
  '--expires-at <date-time> (ISO 8601, e.g. 2026-12-31T23:00:00Z) or --expires-in <seconds> makes the code\nexpire: it is then refused like an unknown one, and sockets open with it are closed (4003).';
const NOTIFY_ABOUT = '--level info|success|warning|error (default info); --data <json> attaches any JSON, delivered as it is.';
const APP_ABOUT = "Runs through a server with the app's API key: SWITCHBOARD_API_KEY (or --api-key).";

type AppCommandName =
  | 'rooms list'
  | 'rooms get'
  | 'rooms create'
  | 'rooms update'
  | 'rooms delete'
  | 'rooms members'
  | 'rooms notify'
  | 'endpoints list'
  | 'endpoints create'
  | 'endpoints rotate'
  | 'endpoints delete'
  | 'kinds list'
  | 'kinds get'
  | 'kinds put'
  | 'kinds delete'
  | 'messages publish'
  | 'messages list'
  | 'users list'
  | 'users get'
  | 'users create'
  | 'users update'
  | 'users revoke-tokens'
  | 'users delete'
  | 'users token'
  | 'users notify'
  | 'tokens create';

/** Every command on an app's resources. */
export const appCommandSpecs: CommandSpecs<AppCommandName> = {
  'rooms list': {
    params: [],
    needs: 'app',
    operations: ['listRooms'],
    summary: "List the app's rooms",
    about: APP_ABOUT,
    build: () => ({ kind: 'rooms list' }),
  },
  'rooms get': {
    params: ['room'],
    needs: 'app',
    operations: ['getRoom'],
    summary: 'Show one room',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'rooms get', room: at(args, 0) }),
  },
  'rooms create': {
    params: ['name'],
    flags: ROOM_FLAGS,
    needs: 'app',
    operations: ['createRoom'],
    summary: 'Create a room',
    about: `${ROOM_FLAGS_ABOUT}\n${APP_ABOUT}`,
    build: (args, flags) => ({ kind: 'rooms create', name: at(args, 0), settings: roomSettings(flags) }),
  },
  'rooms update': {
    params: ['room'],
    flags: ROOM_FLAGS,
    needs: 'app',
    operations: ['updateRoom'],
    summary: "Change a room's title, staff-only or history setting",
    about: `Making a room staff-only removes its non-staff members (chat.removed).\n${ROOM_FLAGS_ABOUT}\n${APP_ABOUT}`,
    build: (args, flags) => ({ kind: 'rooms update', room: at(args, 0), settings: roomSettings(flags) }),
  },
  'rooms delete': {
    params: ['room'],
    needs: 'app',
    operations: ['deleteRoom'],
    summary: 'Delete a room with its endpoints and history; its sockets are told and closed',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'rooms delete', room: at(args, 0) }),
  },
  'rooms members': {
    params: ['room'],
    needs: 'app',
    operations: ['listRoomMembers'],
    summary: 'List the users present in a room now (on every node)',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'rooms members', room: at(args, 0) }),
  },
  'rooms notify': {
    params: ['room', 'message'],
    flags: ['level', 'data'],
    needs: 'app',
    operations: ['notifyRoom'],
    summary: 'Push a notification to every user socket that joined the room',
    about: `${NOTIFY_ABOUT}\n${APP_ABOUT}`,
    build: (args, flags) => ({ kind: 'rooms notify', room: at(args, 0), notification: notification(args, flags) }),
  },
  'endpoints list': {
    params: ['room'],
    needs: 'app',
    operations: ['listEndpoints'],
    summary: "List a room's endpoints (never their codes)",
    about: APP_ABOUT,
    build: (args) => ({ kind: 'endpoints list', room: at(args, 0) }),
  },
  'endpoints create': {
    params: ['room', 'permissions'],
    flags: ['identity', 'expiresAt', 'expiresIn'],
    needs: 'app',
    operations: ['createEndpoint'],
    summary: 'Create an endpoint: read, write or readwrite (its code and path are shown once)',
    about: `--identity <name> names what talks there (its messages' sender).\n${EXPIRY_ABOUT}\n${APP_ABOUT}`,
    build: (args, flags) => {
      const expiresAt = codeExpiry(flags);
      return {
        kind: 'endpoints create',
        room: at(args, 0),
        permissions: at(args, 1),
        ...(flags.identity === undefined ? {} : { identity: flags.identity }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
    },
  },
  'endpoints rotate': {
    params: ['room', 'endpointId'],
    flags: ['expiresAt', 'expiresIn'],
    needs: 'app',
    operations: ['rotateEndpointCode'],
    summary: 'Give an endpoint a new code (shown once); sockets on the old code are closed',
    about: `The old code stops working at once, on every node (its sockets close with 4501).\n${EXPIRY_ABOUT}\nWithout either, the new code never expires.\n${APP_ABOUT}`,
    build: (args, flags) => {
      const expiresAt = codeExpiry(flags);
      return { kind: 'endpoints rotate', room: at(args, 0), endpointId: at(args, 1), ...(expiresAt === undefined ? {} : { expiresAt }) };
    },
  },
  'endpoints delete': {
    params: ['room', 'endpointId'],
    needs: 'app',
    operations: ['deleteEndpoint'],
    summary: 'Delete an endpoint; its sockets are closed on every node',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'endpoints delete', room: at(args, 0), endpointId: at(args, 1) }),
  },
  'kinds list': {
    params: [],
    needs: 'app',
    operations: ['listJobKinds'],
    summary: "List the job kinds the app's workers serve",
    about: APP_ABOUT,
    build: () => ({ kind: 'kinds list' }),
  },
  'kinds get': {
    params: ['name'],
    needs: 'app',
    operations: ['getJobKind'],
    summary: 'Show one job kind: its params and result schemas, concurrency and default timeout',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'kinds get', name: at(args, 0) }),
  },
  'kinds put': {
    params: ['name', 'declaration'],
    needs: 'app',
    operations: ['putJobKind'],
    summary: 'Declare or replace a job kind (<declaration>: JSON of putJobKind; - reads stdin)',
    about:
      'The declaration is {"paramsSchema": {...}, "resultSchema": {...}, "concurrency"?: n, "defaultTimeoutMs"?: ms}:\n' +
      "JSON Schemas the server checks every job's params and result against. Workers serve it over /ws/worker.\n" +
      APP_ABOUT,
    build: (args) => {
      const declaration = at(args, 1);
      if (declaration !== '-') jsonValue(declaration, '<declaration>');
      return { kind: 'kinds put', name: at(args, 0), declaration };
    },
  },
  'kinds delete': {
    params: ['name'],
    needs: 'app',
    operations: ['deleteJobKind'],
    summary: 'Delete a job kind (jobs of it can no longer start)',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'kinds delete', name: at(args, 0) }),
  },
  'messages publish': {
    params: ['room', 'data'],
    flags: ['identity'],
    needs: 'app',
    operations: ['publishMessage'],
    summary: "Publish a message into a room as the app's backend (<data>: any JSON; - reads stdin)",
    about:
      "Every reader of the room gets it (endpoints and users); a room with history keeps it.\n--identity <name> is the sender readers see (default: the app's name).\n" +
      APP_ABOUT,
    build: (args, flags) => {
      const data = at(args, 1);
      if (data !== '-') jsonValue(data, '<data>');
      return { kind: 'messages publish', room: at(args, 0), data, ...(flags.identity === undefined ? {} : { identity: flags.identity }) };
    },
  },
  'messages list': {
    params: ['room'],
    flags: ['after', 'limit', 'all'],
    needs: 'app',
    operations: ['listMessages'],
    summary: "Page through a room's history (--after <seq>, --limit <n>, --all)",
    about:
      'Prints up to --limit messages (default 100, at most 500) with a seq above --after (default 0), and\nthe command for the next page. --all follows the pages to the end.\n' +
      APP_ABOUT,
    build: (args, flags) => {
      const after = wholeNumber(flags, 'after');
      const limit = wholeNumber(flags, 'limit', 1, 500);
      return {
        kind: 'messages list',
        room: at(args, 0),
        ...(after === undefined ? {} : { after }),
        ...(limit === undefined ? {} : { limit }),
        all: flags.all === true,
      };
    },
  },
  'users list': {
    params: [],
    needs: 'app',
    operations: ['listUsers'],
    summary: "List the app's users",
    about: APP_ABOUT,
    build: () => ({ kind: 'users list' }),
  },
  'users get': {
    params: ['userId'],
    needs: 'app',
    operations: ['getUser'],
    summary: 'Show one user (staff flag, display name, whether they have a password)',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'users get', userId: at(args, 0) }),
  },
  'users create': {
    params: ['username'],
    flags: ['staff', 'passwordStdin'],
    needs: 'app',
    operations: ['createUser'],
    summary: 'Create a user (--staff; --password-stdin reads a password so they can sign in)',
    about:
      'The password is read from the first line of stdin, never from an argument (which `ps` shows).\n' +
      `Without one, the app mints the user's tokens (\`users token\`).\n${APP_ABOUT}`,
    build: (args, flags) => ({
      kind: 'users create',
      username: at(args, 0),
      staff: flags.staff === true,
      passwordStdin: flags.passwordStdin === true,
    }),
  },
  'users update': {
    params: ['userId'],
    flags: ['displayName', 'noDisplayName', 'staff', 'noStaff', 'passwordStdin', 'noPassword'],
    needs: 'app',
    operations: ['updateUser'],
    summary: "Change a user's display name, staff flag or password (a reset)",
    about:
      'Flags: --display-name <name> or --no-display-name; --staff or --no-staff; --password-stdin (a new\n' +
      'password from the first line of stdin) or --no-password (they can no longer sign in themselves).\n' +
      'A new staff flag applies from their next connection: `users revoke-tokens` applies it at once.\n' +
      APP_ABOUT,
    build: (args, flags) => ({ kind: 'users update', userId: at(args, 0), changes: userChanges(flags) }),
  },
  'users revoke-tokens': {
    params: ['userId'],
    needs: 'app',
    operations: ['revokeUserTokens'],
    summary: 'Sign a user out everywhere: every token issued so far is refused, their sockets closed',
    about: `Their open sockets are closed with 4501 on every node; new tokens work.\n${APP_ABOUT}`,
    build: (args) => ({ kind: 'users revoke-tokens', userId: at(args, 0) }),
  },
  'users delete': {
    params: ['userId'],
    needs: 'app',
    operations: ['deleteUser'],
    summary: 'Delete a user',
    about: APP_ABOUT,
    build: (args) => ({ kind: 'users delete', userId: at(args, 0) }),
  },
  'users token': {
    params: ['userId'],
    flags: ['expiresIn'],
    needs: 'app',
    operations: ['createUserToken'],
    summary: 'Mint an access token for a user (--expires-in <seconds>)',
    about: `Prints the token: treat it as a password until it expires.\n${APP_ABOUT}`,
    build: (args, flags) => {
      const expiresIn = wholeNumber(flags, 'expiresIn');
      return { kind: 'users token', userId: at(args, 0), ...(expiresIn === undefined ? {} : { expiresIn }) };
    },
  },
  'users notify': {
    params: ['userId', 'message'],
    flags: ['level', 'data'],
    needs: 'app',
    operations: ['notifyUser'],
    summary: 'Push a notification to every socket of a user',
    about: `${NOTIFY_ABOUT}\n${APP_ABOUT}`,
    build: (args, flags) => ({ kind: 'users notify', userId: at(args, 0), notification: notification(args, flags) }),
  },
  'tokens create': {
    params: ['userId', 'name'],
    flags: ['staff', 'expiresIn'],
    needs: 'app',
    operations: ['createAppToken'],
    summary: "Mint an app-signed token for a user of the app's own system (no Switchboard user needed)",
    about:
      "<userId> is the id in the app's system (the user is ext:<userId> on the wire), <name> the name\n" +
      'others see. --staff lets them into staff-only rooms; --expires-in <seconds> (60 to 86400, default\n' +
      `3600). Such a token cannot be revoked one by one: keep it short.\n${APP_ABOUT}`,
    build: (args, flags) => {
      const expiresIn = wholeNumber(flags, 'expiresIn');
      return {
        kind: 'tokens create',
        userId: at(args, 0),
        name: at(args, 1),
        staff: flags.staff === true,
        ...(expiresIn === undefined ? {} : { expiresIn }),
      };
    },
  },
};
