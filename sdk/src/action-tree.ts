import { userActions } from '@switchboard/protocol';
import type { ChatListeners } from './types.ts';

/** A node of the runtime action tree: methods and nested namespaces. */
export interface ActionNamespace {
  [name: string]: ActionNamespace | ((payload?: unknown) => Promise<unknown>);
}

/**
 * Builds `{ ping, echo, chat: { join } }` from action names, each method calling `call` with its
 * full name. The matching type is `ActionTree`; both derive from the generated registry.
 */
export function buildActionTree(names: readonly string[], call: (action: string, payload: unknown) => Promise<unknown>): ActionNamespace {
  const root: ActionNamespace = {};
  for (const name of names) {
    const segments = name.split('.');
    const method = segments.pop() ?? name;
    let node = root;
    for (const segment of segments) {
      const next = Object.hasOwn(node, segment) ? node[segment] : (node[segment] = {});
      if (typeof next !== 'object') throw new Error(`action "${name}" collides with the action "${segment}"`);
      node = next;
    }
    if (Object.hasOwn(node, method)) throw new Error(`action "${name}" collides with a namespace of the same name`);
    node[method] = (payload?: unknown) => call(name, payload);
  }
  return root;
}

/**
 * The methods a client gets from the registry: one per action of the /ws socket, plus
 * `chat.on`. An action that would shadow a client member, or a future `chat.on` action,
 * fails at construction rather than silently.
 */
export function clientActions(
  client: object,
  call: (action: string, payload: unknown) => Promise<unknown>,
  chatOn: ChatListeners['on'],
): ActionNamespace {
  const actions = buildActionTree(Object.keys(userActions), call);
  for (const name of Object.keys(actions)) {
    if (name in client) throw new Error(`the action "${name}" collides with a client member`);
  }
  const chat = actions.chat;
  if (typeof chat !== 'object' || Object.hasOwn(chat, 'on')) throw new Error('the actions must have a `chat` namespace without `on`');
  Object.assign(chat, { on: chatOn });
  return actions;
}
