// Redis Cluster places a key (and a sharded pub/sub channel) by the CRC16 of its hash tag, the
// text between the first `{` and the next `}`. Everything one room needs (its seq counter, its
// idempotency keys, its chat, readers and control channels) carries the room's tag, so one
// shard serves a room whole: the seq script and the publish that follows never cross shards, and
// a shard that restarts affects its rooms only. Room ids are unique across apps, so the tag
// needs no app id to spread rooms evenly.

/** The hash tag of one room, braces included: `{room:<id>}`. */
export function roomHashTag(roomId: string): string {
  return `{room:${roomId}}`;
}

/**
 * The channel name of a topic on a cluster: the topic's first two segments (`room:<id>`,
 * `user:<id>`, `app:<id>`, `node:<id>`) become its hash tag, so every topic of one room, user or
 * app hashes to the same shard as that room's keys. A topic of one segment (`revocations`) is
 * its own tag.
 */
export function clusterChannel(prefix: string, topic: string): string {
  const first = topic.indexOf(':');
  const second = first < 0 ? -1 : topic.indexOf(':', first + 1);
  const tag = second < 0 ? topic : topic.slice(0, second);
  const rest = second < 0 ? '' : topic.slice(second);
  return `${prefix}{${tag}}${rest}`;
}
