/** `messages publish` and `messages list`: a room's messages as the app's backend sends and pages them. */
import type { createRestClient } from '@switchboard/sdk';
import type { components } from '@switchboard/protocol/openapi';
import type { Command } from './commands.ts';
import { jsonValue } from './command-types.ts';
import { quote, table, type Printed } from './output.ts';
import type { reaching } from './rest-operator.ts';

type RoomMessage = components['schemas']['MessagePage']['items'][number];
/** The message commands. */
export type MessageCommand = Extract<Command, { kind: `messages ${string}` }>;

// Enough to recognise a message in a terminal; --json prints it whole.
const SHOWN_CHARS = 80;

/** Runs a message command; `input.readAll` reads the data for `messages publish <room> -`. */
export async function runMessageCommand(
  command: MessageCommand,
  rest: ReturnType<typeof createRestClient>,
  reach: ReturnType<typeof reaching>,
  input: { readAll(): Promise<string> },
): Promise<Printed> {
  switch (command.kind) {
    case 'messages publish': {
      const data = jsonValue(command.data === '-' ? await input.readAll() : command.data, command.data === '-' ? 'stdin' : '<data>');
      const message = await reach(
        rest.messages.publish(command.room, { data, ...(command.identity === undefined ? {} : { identity: command.identity }) }),
      );
      return { json: message, text: [`Published message ${message.seq} in ${quote(command.room)}`] };
    }
    case 'messages list': {
      const limit = command.limit === undefined ? {} : { limit: command.limit };
      let page = await reach(rest.messages.list(command.room, { after: command.after ?? 0, ...limit }));
      const items = [...page.items];
      // Each page starts after the last seq of the one before, so this ends with the history.
      while (command.all && page.next !== undefined) {
        page = await reach(rest.messages.list(command.room, { after: page.next, ...limit }));
        items.push(...page.items);
      }
      const next = command.all ? undefined : page.next;
      const more =
        next === undefined
          ? []
          : [`More: switchboard messages list ${command.room} --after ${next}${command.limit ? ` --limit ${command.limit}` : ''}`];
      return {
        json: next === undefined ? { items } : { items, next },
        text:
          items.length === 0
            ? [`No messages in ${quote(command.room)}${command.after ? ` after ${command.after}` : ''}.`, ...more]
            : [...messagesTable(items), ...more],
      };
    }
    default:
      return command satisfies never;
  }
}

function messagesTable(items: readonly RoomMessage[]): string[] {
  return table(
    ['seq', 'sender', 'created', 'content'],
    items.map((m) => [String(m.seq), `${m.sender.type}:${quote(m.sender.identity)}`, m.createdAt, content(m)]),
  );
}

function content(message: RoomMessage): string {
  if (message.deleted) return '(deleted)';
  const text = message.text !== undefined ? quote(message.text) : (JSON.stringify(message.data) ?? '');
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}
