/** The help pages, built from the command table. */
import { commandNames, commandSpecs, isCommandName, usageOf } from './commands.ts';
import { DEFAULT_SERVER_URL } from './target.ts';
import type { HelpTopic } from './usage-error.ts';

const OPTIONS = `Target: a running server, over REST (the default)
  --url <url>             the server; env SWITCHBOARD_URL; default ${DEFAULT_SERVER_URL}
  --admin-token <token>   the operator token; env ADMIN_TOKEN. Prefer the variable: a flag is
                          visible to every user of the machine in \`ps\` and stays in shell history.
  --api-key <key>         the app's API key (rooms, endpoints, messages, users, tokens); env SWITCHBOARD_API_KEY
                          (prefer the variable, as for the token)

Target: the database itself, no server needed (chosen when one of these is given)
  --database-url <url>    Postgres; env DATABASE_URL (prefer the variable: the URL may hold a password).
                          Set REDIS_URL and REDIS_PREFIX as the servers have them, so that
                          \`apps delete\` closes the app's open sockets on every node.
  --data-dir <dir>        embedded PGlite folder; env DATA_DIR. Stop the server first: PGlite's files
                          must never be opened by two processes at once.
  DATABASE_SCHEMA         the schema of Switchboard's tables, as the servers have it (default switchboard)
  Flags beat variables; with --url, DATABASE_URL and DATA_DIR are ignored. apps commands go to the
  database when DATABASE_URL or DATA_DIR is set; every other command goes to a server;
  migrate, backup and restore always go to the database.

Output
  --json                  print the result as JSON (a failure as {"error":{...}} on stderr)
  -h, --help              show help

Exit status: 0 done, 1 the operation failed (its error code on stderr), 2 bad usage.`;

/** The help page of a topic ('' for the whole CLI). */
export function helpText(topic: HelpTopic): string {
  if (isCommandName(topic)) {
    const spec = commandSpecs[topic];
    return `Usage: switchboard ${usageOf(topic)} [options]\n\n${spec.summary}.\n${spec.about}\n\n${OPTIONS}\n`;
  }
  const names = commandNames.filter((name) => topic === '' || name.startsWith(`${topic} `));
  const rows: [string, string][] = [
    ...names.map((name): [string, string] => [usageOf(name), commandSpecs[name].summary]),
    ['help [command]', "Show a command's help (or: switchboard <command> --help)"],
  ];
  const width = Math.max(...rows.map(([usage]) => usage.length));
  const lines = rows.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`);
  const intro =
    topic === ''
      ? "switchboard: operate a Switchboard server: its apps and API keys, an app's rooms, endpoints, messages,\nusers and tokens (through the REST API), and its database (migrate, backup, restore).\n\nUsage: switchboard <command> [options]"
      : `Usage: switchboard ${topic} <command> [options]`;
  return `${intro}\n\nCommands\n${lines.join('\n')}\n\n${OPTIONS}\n`;
}

/** What a usage error adds after its message: how the command is written and where its help is. */
export function usageHint(topic: HelpTopic): string {
  const usage = isCommandName(topic) ? `Usage: switchboard ${usageOf(topic)} [options]\n` : '';
  return `${usage}Run 'switchboard help${topic === '' ? '' : ` ${topic}`}' for help.`;
}
