/** The commands on an app's users and tokens: create, read, change, sign out, delete, notify, mint tokens. */
import type { createRestClient } from '@switchboard/sdk';
import type { components } from '@switchboard/protocol/openapi';
import type { Command } from './commands.ts';
import { quote, table, type Printed } from './output.ts';
import type { reaching } from './rest-operator.ts';

type Schemas = components['schemas'];
/** The user and token commands. */
export type UserCommand = Extract<Command, { kind: `users ${string}` | `tokens ${string}` }>;

/** Runs a user command; `input.readPassword` reads stdin for --password-stdin. */
export async function runUserCommand(
  command: UserCommand,
  rest: ReturnType<typeof createRestClient>,
  reach: ReturnType<typeof reaching>,
  input: { readPassword(): Promise<string> },
): Promise<Printed> {
  switch (command.kind) {
    case 'users list': {
      const list = await reach(rest.users.list());
      return { json: list, text: list.items.length === 0 ? ['No users.'] : usersTable(list.items) };
    }
    case 'users get': {
      const user = await reach(rest.users.get(command.userId));
      return { json: user, text: userLines(user) };
    }
    case 'users create': {
      const password = command.passwordStdin ? await input.readPassword() : undefined;
      const user = await reach(
        rest.users.create({
          username: command.username,
          ...(command.staff ? { staff: true } : {}),
          ...(password === undefined ? {} : { password }),
        }),
      );
      return { json: user, text: [`Created user ${quote(user.username)}${user.staff ? ' (staff)' : ''}`, `  id  ${user.id}`] };
    }
    case 'users update': {
      const { password, ...others } = command.changes;
      const body: Schemas['UserUpdate'] = {
        ...others,
        ...(password === undefined ? {} : { password: password === 'stdin' ? await input.readPassword() : null }),
      };
      const user = await reach(rest.users.update(command.userId, body));
      return { json: user, text: [`Updated user ${quote(user.username)}`, ...userLines(user)] };
    }
    case 'users revoke-tokens': {
      const user = await reach(rest.users.revokeTokens(command.userId));
      return {
        json: user,
        text: [`Signed ${quote(user.username)} out everywhere: tokens issued before ${user.tokensValidAfter} are refused`],
      };
    }
    case 'users delete':
      await reach(rest.users.delete(command.userId));
      return { json: { userId: command.userId, deleted: true }, text: [`Deleted user ${command.userId}`] };
    case 'users token': {
      const token = await reach(
        rest.users.createToken(command.userId, command.expiresIn === undefined ? {} : { expiresIn: command.expiresIn }),
      );
      return { json: token, text: [token.accessToken, `(expires in ${token.expiresIn} s; treat it as a password)`] };
    }
    case 'users notify': {
      const sent = await reach(rest.users.notify(command.userId, command.notification as Schemas['NotificationCreate']));
      return { json: sent, text: [`Notified user ${command.userId}`] };
    }
    case 'tokens create': {
      const token = await reach(
        rest.tokens.create({
          userId: command.userId,
          name: command.name,
          ...(command.staff ? { staff: true } : {}),
          ...(command.expiresIn === undefined ? {} : { expiresIn: command.expiresIn }),
        }),
      );
      return {
        json: token,
        text: [token.accessToken, `(for ${token.user.id}, expires in ${token.expiresIn} s; treat it as a password)`],
      };
    }
    default:
      return command satisfies never;
  }
}

function usersTable(users: readonly Schemas['User'][]): string[] {
  return table(
    ['id', 'username', 'staff', 'created'],
    users.map((u) => [u.id, quote(u.username), u.staff ? 'yes' : 'no', u.createdAt]),
  );
}

function userLines(user: Schemas['User']): string[] {
  return [
    `  id            ${user.id}`,
    `  username      ${quote(user.username)}`,
    `  display name  ${user.displayName === null ? '-' : quote(user.displayName)}`,
    `  staff         ${user.staff ? 'yes' : 'no'}`,
    `  password      ${user.hasPassword ? 'yes' : 'no (only the app mints their tokens)'}`,
    `  signed out    ${user.tokensValidAfter ?? 'never'}`,
    `  created       ${user.createdAt}`,
  ];
}
