/**
 * One CLI run, from argv to an exit status, with the environment and the output streams passed
 * in (so it never reads `process`): 0 done, 1 the operation failed, 2 bad usage.
 */
import { errorCatalog, type ErrorCode } from '@switchboard/protocol';
import { commandSpecs, type Command } from './commands.ts';
import { helpText, usageHint } from './help.ts';
import { openOperator, type AppsOperator, type Note } from './operator.ts';
import { resultJson, resultText, type CommandResult } from './output.ts';
import { parseArguments, type GlobalOptions } from './parse-args.ts';
import { resolveTargetFor, type Env } from './target.ts';
import { UsageError } from './usage-error.ts';
import type { AppCommand } from './app-commands.ts';

/** Where a run writes; each call is one chunk of text. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of stdin as text (for --password-stdin). */
  readStdin?(): Promise<string>;
}

/** The exit statuses of the CLI. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs the command line `argv` (without `node` and the script) and resolves with the exit status. */
export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  let json = false;
  try {
    const invocation = parseArguments(argv);
    if (invocation.kind === 'help') {
      io.stdout(helpText(invocation.topic));
      return exitCodes.ok;
    }
    json = invocation.options.json;
    const result = await dispatch(invocation.command, invocation.options, env, io);
    io.stdout(json ? `${JSON.stringify(resultJson(result), null, 2)}\n` : `${resultText(result).join('\n')}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`switchboard: ${error.message}\n${usageHint(error.topic)}\n`);
      return exitCodes.usage;
    }
    const failure = describeFailure(error);
    io.stderr(json ? `${JSON.stringify({ error: failure })}\n` : failureText(failure));
    return exitCodes.failed;
  }
}

async function dispatch(command: Command, options: GlobalOptions, env: Env, io: CliIo): Promise<CommandResult> {
  const need = commandSpecs[command.kind].needs;
  if (command.kind === 'migrate' || command.kind === 'backup' || command.kind === 'restore' || command.kind === 'keys rotate-signing') {
    const target = resolveTargetFor('database', options, env);
    const { runDatabaseTask } = await import('./database-tasks.ts');
    return { kind: 'printed', ...(await runDatabaseTask(command, target)) };
  }
  if (need === 'app') {
    const target = resolveTargetFor('app', options, env);
    const { runAppCommand } = await import('./app-commands.ts');
    const readAll = async () => (await io.readStdin?.()) ?? '';
    const readPassword = async () => {
      const password = (await readAll()).split(/\r?\n/)[0] ?? '';
      if (password === '') throw new UsageError('--password-stdin: stdin holds no password', command.kind);
      return password;
    };
    return { kind: 'printed', ...(await runAppCommand(command as AppCommand, target, { readAll, readPassword })) };
  }
  const note: Note = (line) => io.stderr(`note: ${line}\n`);
  const operator = await openOperator(resolveTargetFor('admin', options, env), note);
  try {
    return await execute(operator, command);
  } finally {
    await operator.close();
  }
}

async function execute(operator: AppsOperator, command: Command): Promise<CommandResult> {
  switch (command.kind) {
    case 'apps create':
      return { kind: 'app created', app: await operator.createApp(command.name) };
    case 'apps list':
      return { kind: 'apps listed', list: await operator.listApps() };
    case 'apps delete':
      await operator.deleteApp(command.appId);
      return { kind: 'app deleted', appId: command.appId };
    case 'apps keys create':
      return { kind: 'key created', appId: command.appId, key: await operator.createKey(command.appId) };
    case 'apps keys revoke':
      await operator.revokeKey(command.appId, command.keyId);
      return { kind: 'key revoked', appId: command.appId, keyId: command.keyId };
    case 'apps keys rotate': {
      // The new key first: a failure in between leaves two live keys, never none.
      const key = await operator.createKey(command.appId);
      await operator.revokeKey(command.appId, command.keyId);
      return { kind: 'key rotated', appId: command.appId, revokedKeyId: command.keyId, key };
    }
    default:
      throw new Error(`${command.kind} is not an operator command`);
  }
}

interface Failure {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * The one error edge: the server's and the SDK's `SwitchboardError` both carry a catalog code;
 * anything else becomes `internal`, keeping its message (the operator is the one reading it).
 */
function describeFailure(error: unknown): Failure {
  if (error instanceof Error && 'code' in error && isErrorCode(error.code)) {
    const details = 'details' in error && isRecord(error.details) ? error.details : undefined;
    return details === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, details };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

function failureText({ code, message, details }: Failure): string {
  const issues = Array.isArray(details?.issues) ? details.issues.filter(isRecord) : [];
  const lines = [`error: ${code}: ${message}`, ...issues.map((issue) => `  ${String(issue.path ?? '')}: ${String(issue.message ?? '')}`)];
  return `${lines.join('\n')}\n`;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
