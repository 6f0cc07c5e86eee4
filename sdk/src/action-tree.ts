import { userActions } from '@switchboard/protocol';
import { roomHandle } from './room-handle.ts';
import type { CallAction, CallOptions, ChatListeners, JoinedRoom } from './types.ts';

/** A node of the runtime action tree: methods and nested namespaces. */
export interface ActionNamespace {
  [name: string]: ActionNamespace | ((payload?: unknown, options?: CallOptions) => Promise<unknown>);
}

/**
 * Builds `{ ping, echo, chat: { join } }` from action names, each method calling `call` with its
 * full name. The matching type is `ActionTree`; both derive from the generated registry.
 */
export function buildActionTree(names: readonly string[], call: CallAction): ActionNamespace {
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
    node[method] = (payload?: unknown, options?: CallOptions) => call(name, payload, options);
  }
  return root;
}

/** The action tree of `names`, refusing an action that would shadow a member of `client`. */
export function socketActions(client: object, names: readonly string[], call: CallAction): ActionNamespace {
  const actions = buildActionTree(names, call);
  for (const name of Object.keys(actions)) {
    if (name in client) throw new Error(`the action "${name}" collides with a client member`);
  }
  return actions;
}

/**
 * The methods a user client gets from the registry: one per action of the /ws socket, plus
 * `chat.on`, and a `chat.join` that answers with a room handle. An action that would shadow a
 * client member, or a future `chat.on` action, fails at construction rather than silently.
 */
export function clientActions(client: object, call: CallAction, chatOn: ChatListeners['on']): ActionNamespace {
  const actions = socketActions(client, Object.keys(userActions), call);
  const chat = actions.chat;
  if (typeof chat !== 'object' || Object.hasOwn(chat, 'on')) throw new Error('the actions must have a `chat` namespace without `on`');
  const host = { call, on: chatOn };
  const join = (payload: unknown, options?: CallOptions): Promise<JoinedRoom> =>
    call('chat.join', payload, options).then((answer) => roomHandle(host, payload, answer));
  Object.assign(chat, { on: chatOn, join });
  return actions;
}
