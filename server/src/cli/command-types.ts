/**
 * The shape of the command table: what a command is once parsed, how one is described, and the
 * per-command flags. The table itself is split by audience (operator-command-specs.ts,
 * app-command-specs.ts) and put together in commands.ts.
 */
import type { OperationId } from '@switchboard/protocol';
import { UsageError } from './usage-error.ts';

/** What a command works on: the operator API (or the database), one app's API, or the database itself. */
export type Need = 'admin' | 'app' | 'database';

/** The per-command flags, as parsed (absent when not given). */
export interface CommandFlags {
  readonly title?: string | undefined;
  readonly staffOnly?: string | undefined;
  readonly history?: string | undefined;
  readonly identity?: string | undefined;
  readonly staff?: boolean | undefined;
  readonly noStaff?: boolean | undefined;
  readonly displayName?: string | undefined;
  readonly noDisplayName?: boolean | undefined;
  readonly passwordStdin?: boolean | undefined;
  readonly noPassword?: boolean | undefined;
  readonly expiresIn?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly level?: string | undefined;
  readonly data?: string | undefined;
  readonly after?: string | undefined;
  readonly limit?: string | undefined;
  readonly all?: boolean | undefined;
  readonly force?: boolean | undefined;
}

/** The flag names of `CommandFlags`, as typed on the command line, and whether each takes a value. */
export const commandFlagNames = {
  title: 'title',
  staffOnly: 'staff-only',
  history: 'history',
  identity: 'identity',
  staff: 'staff',
  noStaff: 'no-staff',
  displayName: 'display-name',
  noDisplayName: 'no-display-name',
  passwordStdin: 'password-stdin',
  noPassword: 'no-password',
  expiresIn: 'expires-in',
  expiresAt: 'expires-at',
  level: 'level',
  data: 'data',
  after: 'after',
  limit: 'limit',
  all: 'all',
  force: 'force',
} as const satisfies Record<keyof CommandFlags, string>;

/** A per-command flag. */
export type Flag = keyof CommandFlags;

/** A room's settings as flags give them. */
export interface RoomSettings {
  readonly title?: string;
  readonly staffOnly?: boolean;
  readonly history?: boolean;
}

/** What `users update` changes; `null` removes a display name or a password. */
export interface UserChanges {
  readonly displayName?: string | null;
  readonly staff?: boolean;
  /** `stdin`: read the new password from stdin; `null`: remove it. */
  readonly password?: 'stdin' | null;
}

/** A notification as flags give it. */
export interface NotificationInput {
  readonly message: string;
  readonly level: string;
  readonly data?: unknown;
}

/** One parsed command, ready to run. */
export type Command =
  | { readonly kind: 'apps create'; readonly name: string }
  | { readonly kind: 'apps list' }
  | { readonly kind: 'apps delete'; readonly appId: string }
  | { readonly kind: 'apps keys create'; readonly appId: string }
  | { readonly kind: 'apps keys rotate'; readonly appId: string; readonly keyId: string }
  | { readonly kind: 'apps keys revoke'; readonly appId: string; readonly keyId: string }
  | { readonly kind: 'rooms list' }
  | { readonly kind: 'rooms get'; readonly room: string }
  | { readonly kind: 'rooms create'; readonly name: string; readonly settings: RoomSettings }
  | { readonly kind: 'rooms update'; readonly room: string; readonly settings: RoomSettings }
  | { readonly kind: 'rooms delete'; readonly room: string }
  | { readonly kind: 'rooms members'; readonly room: string }
  | { readonly kind: 'rooms notify'; readonly room: string; readonly notification: NotificationInput }
  | { readonly kind: 'endpoints list'; readonly room: string }
  | {
      readonly kind: 'endpoints create';
      readonly room: string;
      readonly permissions: string;
      readonly identity?: string;
      readonly expiresAt?: string;
    }
  | { readonly kind: 'endpoints rotate'; readonly room: string; readonly endpointId: string; readonly expiresAt?: string }
  | { readonly kind: 'endpoints delete'; readonly room: string; readonly endpointId: string }
  | { readonly kind: 'kinds list' }
  | { readonly kind: 'kinds get'; readonly name: string }
  | { readonly kind: 'kinds put'; readonly name: string; readonly declaration: string }
  | { readonly kind: 'kinds delete'; readonly name: string }
  | { readonly kind: 'messages publish'; readonly room: string; readonly data: string; readonly identity?: string }
  | { readonly kind: 'messages list'; readonly room: string; readonly after?: number; readonly limit?: number; readonly all: boolean }
  | { readonly kind: 'users list' }
  | { readonly kind: 'users get'; readonly userId: string }
  | { readonly kind: 'users create'; readonly username: string; readonly staff: boolean; readonly passwordStdin: boolean }
  | { readonly kind: 'users update'; readonly userId: string; readonly changes: UserChanges }
  | { readonly kind: 'users revoke-tokens'; readonly userId: string }
  | { readonly kind: 'users delete'; readonly userId: string }
  | { readonly kind: 'users token'; readonly userId: string; readonly expiresIn?: number }
  | { readonly kind: 'users notify'; readonly userId: string; readonly notification: NotificationInput }
  | { readonly kind: 'tokens create'; readonly userId: string; readonly name: string; readonly staff: boolean; readonly expiresIn?: number }
  | { readonly kind: 'migrate' }
  | { readonly kind: 'keys rotate-signing' }
  | { readonly kind: 'backup'; readonly file: string }
  | { readonly kind: 'restore'; readonly file: string; readonly force: boolean };

/** A command's name: its words joined by single spaces. */
export type CommandName = Command['kind'];

/** How one command is written and what it does. */
export interface CommandSpec<C extends Command = Command> {
  /** Its positional arguments, in order, as help names them. */
  readonly params: readonly string[];
  /** The flags it takes besides the global ones. */
  readonly flags?: readonly Flag[];
  /** Where it runs. */
  readonly needs: Need;
  /** The REST operations it calls (specs/openapi.yaml); a test checks every operation has a command. */
  readonly operations: readonly OperationId[];
  /** One line for the command list. */
  readonly summary: string;
  /** What its help page adds to the summary. */
  readonly about: string;
  /** Builds the command from exactly `params.length` arguments (the parser checked the count). */
  build(args: readonly string[], flags: CommandFlags): C;
}

/** The table rows of the commands named `K`. */
export type CommandSpecs<K extends CommandName> = { readonly [N in K]: CommandSpec<Extract<Command, { kind: N }>> };

/** The positional argument at `index` (the parser checked there are enough). */
export const at = (args: readonly string[], index: number): string => args[index] ?? '';

/** A `true|false` flag's value. */
export function yesNo(flags: CommandFlags, flag: 'staffOnly' | 'history'): boolean | undefined {
  const value = flags[flag];
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new UsageError(`--${commandFlagNames[flag]} takes true or false`);
}

/** A whole-number flag's value, between `min` and `max`. */
export function wholeNumber(flags: CommandFlags, flag: 'expiresIn' | 'after' | 'limit', min = 0, max = 999_999_999): number | undefined {
  const value = flags[flag];
  if (value === undefined) return undefined;
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) throw new UsageError(`--${commandFlagNames[flag]} takes a whole number from ${min} to ${max}`);
  return number;
}

/** An endpoint code's expiry from `--expires-at <date-time>` or `--expires-in <seconds>`, as the API's `expiresAt`. */
export function codeExpiry(flags: CommandFlags, now = Date.now()): string | undefined {
  if (flags.expiresAt !== undefined && flags.expiresIn !== undefined) throw new UsageError('give --expires-at or --expires-in, not both');
  const seconds = wholeNumber(flags, 'expiresIn', 1);
  if (seconds !== undefined) return new Date(now + seconds * 1000).toISOString();
  // Passed on as written: the server checks it is a future date-time (validation_failed names the field).
  return flags.expiresAt;
}

/** Parses JSON from an argument or a flag, naming it (never echoing it) when it is not JSON. */
export function jsonValue(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} must be JSON, e.g. '{"text":"hi"}' or '"hi"' (quoted for the shell)`);
  }
}
