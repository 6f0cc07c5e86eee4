/**
 * One CLI run, from argv to an exit status, with the environment and the output streams passed
 * in (so it never reads `process`): 0 done, 1 the operation failed, 2 bad usage.
 */
import { errorCatalog, type ErrorCode } from '@switchboard/protocol';
import type { Command } from './commands.ts';
import { helpText, usageHint } from './help.ts';
import { openOperator, type AppsOperator, type Note } from './operator.ts';
import { resultJson, resultText, type CommandResult } from './output.ts';
import { parseArguments } from './parse-args.ts';
import { resolveTarget, type Env } from './target.ts';
import { UsageError } from './usage-error.ts';

/** Where a run writes; each call is one chunk of text. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
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
    const target = resolveTarget(invocation.options, env);
    const note: Note = (line) => io.stderr(`note: ${line}\n`);
    const operator = await openOperator(target, note);
    let result: CommandResult;
    try {
      result = await execute(operator, invocation.command);
    } finally {
      await operator.close();
    }
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
    default:
      return command satisfies never;
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
