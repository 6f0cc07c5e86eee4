/** `kinds list|get|put|delete`: the job kinds an app declares for its own workers. */
import type { BodyOf } from '@switchboard/protocol';
import type { components } from '@switchboard/protocol/openapi';
import type { createRestClient } from '@switchboard/sdk';
import type { Command } from './commands.ts';
import { jsonValue } from './command-types.ts';
import { quote, table, type Printed } from './output.ts';
import type { reaching } from './rest-operator.ts';

type JobKind = components['schemas']['JobKind'];
/** The job kind commands. */
export type JobKindCommand = Extract<Command, { kind: `kinds ${string}` }>;

function kindsTable(kinds: readonly JobKind[]): string[] {
  return table(
    ['name', 'concurrency', 'default timeout', 'updated'],
    kinds.map((k) => [k.name, String(k.concurrency), `${k.defaultTimeoutMs} ms`, k.updatedAt]),
  );
}

/** Runs a job kind command; `input.readAll` reads the declaration for `kinds put <name> -`. */
export async function runJobKindCommand(
  command: JobKindCommand,
  rest: ReturnType<typeof createRestClient>,
  reach: ReturnType<typeof reaching>,
  input: { readAll(): Promise<string> },
): Promise<Printed> {
  switch (command.kind) {
    case 'kinds list': {
      const list = await reach(rest.jobKinds.list());
      return { json: list, text: list.kinds.length === 0 ? ['No job kinds.'] : kindsTable(list.kinds) };
    }
    case 'kinds get': {
      const kind = await reach(rest.jobKinds.get(command.name));
      return { json: kind, text: kindsTable([kind]) };
    }
    case 'kinds put': {
      const fromStdin = command.declaration === '-';
      // The server checks the declaration against putJobKind's schema (validation_failed names the path).
      const body = jsonValue(
        fromStdin ? await input.readAll() : command.declaration,
        fromStdin ? 'stdin' : '<declaration>',
      ) as BodyOf<'putJobKind'>;
      const kind = await reach(rest.jobKinds.put(command.name, body));
      return { json: kind, text: [`Declared job kind ${quote(kind.name)}`, ...kindsTable([kind])] };
    }
    case 'kinds delete':
      await reach(rest.jobKinds.delete(command.name));
      return { json: { kind: command.name, deleted: true }, text: [`Deleted job kind ${quote(command.name)}`] };
  }
}
