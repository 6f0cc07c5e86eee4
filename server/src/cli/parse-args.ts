/**
 * argv → what to do. Small on purpose: `node:util` `parseArgs` for the flags, then the command
 * words are matched against the command table. Throws `UsageError`; never reads the environment.
 */
import { parseArgs } from 'node:util';
import { commandFlagNames, commandGroups, commandSpecs, isCommandName, type Command, type CommandFlags } from './commands.ts';
import { UsageError, type HelpTopic } from './usage-error.ts';

/** The flags every command accepts; absent ones fall back to the environment (see target.ts). */
export interface GlobalOptions {
  readonly json: boolean;
  readonly url: string | undefined;
  readonly adminToken: string | undefined;
  readonly apiKey: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string | undefined;
}

/** The outcome of parsing a command line. */
export type Invocation =
  | { readonly kind: 'help'; readonly topic: HelpTopic }
  | { readonly kind: 'run'; readonly command: Command; readonly options: GlobalOptions };

const flags = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  'admin-token': { type: 'string' },
  'api-key': { type: 'string' },
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
  // Per-command flags (commands.ts says which command takes which).
  title: { type: 'string' },
  'staff-only': { type: 'string' },
  history: { type: 'string' },
  identity: { type: 'string' },
  staff: { type: 'boolean' },
  'no-staff': { type: 'boolean' },
  'display-name': { type: 'string' },
  'no-display-name': { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  'no-password': { type: 'boolean' },
  'expires-in': { type: 'string' },
  'expires-at': { type: 'string' },
  level: { type: 'string' },
  data: { type: 'string' },
  after: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  force: { type: 'boolean' },
} as const satisfies Record<
  | 'help'
  | 'json'
  | 'url'
  | 'admin-token'
  | 'api-key'
  | 'database-url'
  | 'data-dir'
  | (typeof commandFlagNames)[keyof typeof commandFlagNames],
  { type: 'string' | 'boolean'; short?: string }
>;

/** Parses `argv` (without `node` and the script); throws `UsageError` on bad usage. */
export function parseArguments(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: flags, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the flag, never its value, so the message is safe to show.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals[0] === 'help') return { kind: 'help', topic: helpTopic(positionals.slice(1)) };

  const { path, rest } = longestKnownPath(positionals);
  if (values.help === true) return { kind: 'help', topic: path };
  if (!isCommandName(path)) {
    const next = rest[0];
    if (next !== undefined) throw new UsageError(`unknown command '${[path, next].filter(Boolean).join(' ')}'`, path);
    throw new UsageError(path === '' ? 'missing command' : `'${path}' needs a subcommand`, path);
  }
  const spec = commandSpecs[path];
  const missing = spec.params[rest.length];
  if (missing !== undefined) throw new UsageError(`missing argument <${missing}>`, path);
  const extra = rest[spec.params.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, path);
  const taken = new Set<string>(spec.flags ?? []);
  const commandFlags: Record<string, unknown> = {};
  for (const [flag, name] of Object.entries(commandFlagNames)) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (!taken.has(flag)) throw new UsageError(`'${path}' does not take --${name}`, path);
    commandFlags[flag] = value;
  }
  let command: Command;
  try {
    command = spec.build(rest, commandFlags as CommandFlags);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message, path);
    throw error;
  }
  return {
    kind: 'run',
    command,
    options: {
      json: values.json === true,
      url: values.url,
      adminToken: values['admin-token'],
      apiKey: values['api-key'],
      databaseUrl: values['database-url'],
      dataDir: values['data-dir'],
    },
  };
}

/** The longest run of leading words that names a group or a command, and the words after it. */
function longestKnownPath(words: readonly string[]): { path: string; rest: readonly string[] } {
  let path = '';
  let used = 0;
  for (const word of words) {
    const candidate = path === '' ? word : `${path} ${word}`;
    if (!isCommandName(path) && (commandGroups.includes(candidate) || isCommandName(candidate))) {
      path = candidate;
      used += 1;
    } else break;
  }
  return { path, rest: words.slice(used) };
}

function helpTopic(words: readonly string[]): HelpTopic {
  const topic = words.join(' ');
  if (topic === '' || commandGroups.includes(topic) || isCommandName(topic)) return topic;
  throw new UsageError(`no help for '${topic}': not a command`);
}
