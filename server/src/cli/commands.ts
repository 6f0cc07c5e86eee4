/**
 * The commands the CLI knows, as data: their words, arguments and summaries. Parsing, the
 * arity checks and the help pages are all built from this one table.
 */

/** One parsed command, ready to run. */
export type Command =
  | { readonly kind: 'apps create'; readonly name: string }
  | { readonly kind: 'apps list' }
  | { readonly kind: 'apps delete'; readonly appId: string }
  | { readonly kind: 'apps keys create'; readonly appId: string }
  | { readonly kind: 'apps keys revoke'; readonly appId: string; readonly keyId: string };

/** A command's name: its words joined by single spaces. */
export type CommandName = Command['kind'];

/** How one command is written and what it does. */
export interface CommandSpec<C extends Command = Command> {
  /** Its positional arguments, in order, as help names them. */
  readonly params: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** What its help page adds to the summary. */
  readonly about: string;
  /** Builds the command from exactly `params.length` arguments (the parser checked the count). */
  build(args: readonly string[]): C;
}

const at = (args: readonly string[], index: number): string => args[index] ?? '';

/** Every command; a missing one fails to compile. */
export const commandSpecs: { readonly [K in CommandName]: CommandSpec<Extract<Command, { kind: K }>> } = {
  'apps create': {
    params: ['name'],
    summary: 'Create an app and its first API key (the key is shown once)',
    about:
      'Prints the app id, the key id and the API key in clear. The key is shown this once: only its\n' +
      'hash and a short prefix are stored, so keep it now. The app authenticates with `API-Key: <key>`.',
    build: (args) => ({ kind: 'apps create', name: at(args, 0) }),
  },
  'apps list': {
    params: [],
    summary: 'List every app with its live keys (ids and prefixes, never the keys)',
    about: 'Each app is followed by its live keys: the key id (for `apps keys revoke`) and its prefix.',
    build: () => ({ kind: 'apps list' }),
  },
  'apps delete': {
    params: ['appId'],
    summary: 'Delete an app with its keys, rooms, endpoints, users and messages',
    about:
      "Through a server, the app's open sockets are closed at once on every node. Directly on Postgres\n" +
      'they are closed only when REDIS_URL (and REDIS_PREFIX) name the Redis the servers share.',
    build: (args) => ({ kind: 'apps delete', appId: at(args, 0) }),
  },
  'apps keys create': {
    params: ['appId'],
    summary: 'Add an API key to an app, for rotation (the key is shown once)',
    about: 'Several keys may be live at once: add the new key, move clients to it, then revoke the old one.',
    build: (args) => ({ kind: 'apps keys create', appId: at(args, 0) }),
  },
  'apps keys revoke': {
    params: ['appId', 'keyId'],
    summary: 'Revoke an API key; requests with it fail from now on',
    about: 'The key id is the one `apps list` and `apps keys create` print (not the key itself).',
    build: (args) => ({ kind: 'apps keys revoke', appId: at(args, 0), keyId: at(args, 1) }),
  },
};

/** Command names in the order help lists them. */
export const commandNames = Object.keys(commandSpecs) as CommandName[];

/** Words that lead to commands without being one: `apps`, `apps keys`. */
export const commandGroups: readonly string[] = [
  ...new Set(
    commandNames.flatMap((name) =>
      name
        .split(' ')
        .slice(0, -1)
        .map((_, i, words) => words.slice(0, i + 1).join(' ')),
    ),
  ),
];

/** True for a command's name. */
export function isCommandName(words: string): words is CommandName {
  return Object.hasOwn(commandSpecs, words);
}

/** How a command is typed on the command line, e.g. `apps keys revoke <appId> <keyId>`. */
export function usageOf(name: CommandName): string {
  return [name, ...commandSpecs[name].params.map((param) => `<${param}>`)].join(' ');
}
