// How presence is laid out in Redis, in one place: the keys, the field encoding and the one
// script. Operators reading Redis, and tests checking what is stored, start here.

/** The hash of a presence key: field = member, value = `<node>\t<value>`. */
export function hashKey(prefix: string, key: string): string {
  return `${prefix}presence:${key}`;
}

/** A node's liveness: present while the node refreshes it, expiring `ttlMs` after the last refresh. */
export function nodeKey(prefix: string, node: string): string {
  return `${prefix}node:${node}`;
}

/** Every node that claimed liveness and has not closed: where a sweep looks for dead ones. */
export function nodesKey(prefix: string): string {
  return `${prefix}nodes`;
}

/**
 * What one node added, for whoever sweeps it after a crash: field = `<key>\t<member>`, value =
 * the entry's value. Readers may remove a dead node's entries as ghosts before any sweep; this
 * hash still says who was there.
 */
export function nodeEntriesKey(prefix: string, node: string): string {
  return `${prefix}node-entries:${node}`;
}

/** Held by the one node sweeping a dead one, so that its departures are announced once. */
export function sweepKey(prefix: string, node: string): string {
  return `${prefix}sweep:${node}`;
}

/** The field of an entry in its node's entries hash. */
export function entryField(key: string, member: string): string {
  return `${key}\t${member}`;
}

/** The hash field value of an entry; the node comes first so that readers can check its liveness. */
export function encodeEntry(node: string, value: string): string {
  return `${node}\t${value}`;
}

/** Splits a hash field value; `undefined` for one no store wrote (no tab), which readers treat as a ghost. */
export function decodeEntry(stored: string): { node: string; value: string } | undefined {
  const tab = stored.indexOf('\t');
  if (tab < 0) return undefined;
  return { node: stored.slice(0, tab), value: stored.slice(tab + 1) };
}

/**
 * Compare-and-delete, atomically per hash. KEYS[1] is the hash, KEYS[2..] node keys; ARGV holds
 * triples: field, the value it must still hold, and the index in KEYS of a node key that must
 * still be missing ('0': none). Returns how many fields it deleted.
 *
 * Both checks exist for races: a member taken over by another node since it was read keeps its
 * new value; and a node whose liveness lapsed and that has since re-claimed it and re-added its
 * entries (with the very same values) keeps them, because the node key exists again.
 */
export const DELETE_IF_UNCHANGED = `
local removed = 0
for i = 1, #ARGV, 3 do
  local node_key = KEYS[tonumber(ARGV[i + 2])]
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1]
    and (node_key == nil or redis.call('EXISTS', node_key) == 0) then
    removed = removed + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return removed
`;
