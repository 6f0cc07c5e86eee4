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
