import { describe, expect, it } from 'vitest';
import type { RoomMessage } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import { createBroadcasts } from './broadcasts.ts';
import { topics } from './topics.ts';

/** A channel layer that only records what is published. */
function recorder(): { channels: ChannelLayer; published: [string, string][] } {
  const published: [string, string][] = [];
  const channels = {
    kind: 'memory',
    publish: async (topic: string, message: string) => void published.push([topic, message]),
    subscribe: async () => undefined,
    unsubscribe: async () => undefined,
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  } satisfies ChannelLayer;
  return { channels, published };
}

describe('messagePublished', () => {
  it('frames the message serialized once exactly as JSON.stringify({ action, payload }) would, for readers and chat members', async () => {
    const { channels, published } = recorder();
    const message: RoomMessage = {
      id: 'm1',
      room: 'lounge',
      seq: 7,
      sender: { type: 'user', id: 'u1', identity: 'ann' },
      createdAt: '2026-12-02T00:00:00.000Z',
      text: 'hé "quoted"\n',
      data: { nested: [1, { a: null }] },
    };
    await createBroadcasts(channels).messagePublished({ id: 'r1', name: 'lounge' }, message);
    expect(published).toEqual([
      [topics.roomReaders('r1'), JSON.stringify({ action: 'message', payload: message })],
      [topics.roomChat('r1'), JSON.stringify({ action: 'chat.message', payload: message })],
    ]);
  });
});
