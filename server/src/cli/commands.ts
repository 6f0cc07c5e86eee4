/**
 * The commands the CLI knows, as data: their words, arguments, flags, summaries and the REST
 * operations behind them. Parsing, the arity checks and the help pages are all built from this
 * one table (its rows live in app-command-specs.ts and operator-command-specs.ts).
 */
import { appCommandSpecs } from './app-command-specs.ts';
import type { CommandName, CommandSpecs } from './command-types.ts';
import { databaseCommandSpecs, operatorCommandSpecs } from './operator-command-specs.ts';

export { commandFlagNames } from './command-types.ts';
export type {
  Command,
  CommandFlags,
  CommandName,
  CommandSpec,
  Need,
  NotificationInput,
  RoomSettings,
  UserChanges,
} from './command-types.ts';

/** Every command; a missing one fails to compile. */
export const commandSpecs: CommandSpecs<CommandName> = { ...operatorCommandSpecs, ...appCommandSpecs, ...databaseCommandSpecs };

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
