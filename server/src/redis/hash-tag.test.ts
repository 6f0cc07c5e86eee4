import { describe, expect, test } from 'vitest';
import { clusterChannel, roomHashTag } from './hash-tag.ts';

// What Redis Cluster hashes: the text between the first `{` and the next `}`, when not empty.
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('cluster hash tags', () => {
  const room = '4f1c2d3e-0000-4000-8000-000000000001';

  test('puts every channel of a room on the shard of its seq counter', () => {
    const seqKey = `sb:seqs:${roomHashTag(room)}`;
    for (const topic of [`room:${room}:chat`, `room:${room}:readers`, `room:${room}:control`]) {
      expect(hashedPart(clusterChannel('sb:', topic))).toBe(hashedPart(seqKey));
    }
  });

  test('spreads two rooms apart and keeps one-segment topics whole', () => {
    expect(hashedPart(clusterChannel('sb:', 'room:a:chat'))).not.toBe(hashedPart(clusterChannel('sb:', 'room:b:chat')));
    expect(clusterChannel('sb:', 'revocations')).toBe('sb:{revocations}');
    expect(clusterChannel('sb:', 'app:x:users')).toBe('sb:{app:x}:users');
  });
});
