// Module hooks for running the workspace from its TypeScript sources with `node --import`:
// every resolution also tries the `switchboard-source` export condition (the workspace packages'
// `src/` entries), as tsc and vitest do. Registered by server/bin/switchboard.js in a checkout.

/** Adds the source condition in front of the caller's conditions. */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('switchboard-source') ? context.conditions : ['switchboard-source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
