/**
 * The chat path of Switchboard, as a chat page drives it: the app creates rooms and users over
 * REST and mints each user a token (`createUserToken`); a user socket opens `/ws?token=…`, joins
 * its room (`chat.join`, ready on the reply) and sends `chat.send`; every member gets
 * `chat.message`. Each reader socket is its own user (up to `MAX_USERS`, then users are reused,
 * as a user with several tabs); the publisher of a room is one more user, a member of the room
 * like any other (it gets its own `chat.message` too: that delivery is the server's work, but
 * only readers' deliveries are counted).
 */
import type { Driver, Prepared, Target } from './types.ts';
import { post, stringField, Unavailable } from './switchboard.ts';
import { toWsUrl, WsBenchSocket } from './ws-socket.ts';

// Minting is two REST calls per user: a few thousand keep preparing to seconds; beyond that sockets share users.
const MAX_USERS = 2_000;
const JOIN_ID = 'j';
const JOINED = Buffer.from(`{"action":"chat.join","ref":"${JOIN_ID}"`);
const ERROR = Buffer.from('"error":{');
const MINT_CONCURRENCY = 8;

/** Drives Switchboard's user sockets (`chat.send` → `chat.message`). */
export function switchboardChatDriver(target: Target): Driver {
  const tokens: string[] = [];
  const publisherTokens: string[] = [];
  let roomCount = 0;
  const token = (list: readonly string[], index: number): string => {
    const value = list[index % list.length];
    if (value === undefined) throw new Error('prepare first');
    return value;
  };

  const prepare = async (rooms: number, readers: number): Promise<Prepared> => {
    try {
      const app = await post(
        `${target.publishUrl}/v1/apps`,
        { authorization: `Bearer ${target.adminToken}` },
        { name: `bench-${Date.now()}` },
      );
      const auth = { 'api-key': stringField(app, 'apiKey') };
      for (let index = 0; index < rooms; index++)
        await post(`${target.publishUrl}/v1/rooms`, auth, { name: `r${index}`, history: target.history });
      roomCount = rooms;
      const mint = async (name: string) => {
        const user = await post(`${target.publishUrl}/v1/users`, auth, { username: name });
        const minted = await post(`${target.publishUrl}/v1/users/${stringField(user, 'id')}/tokens`, auth, { expiresIn: 86_400 });
        return stringField(minted, 'accessToken');
      };
      const names = [
        ...Array.from({ length: rooms }, (_, index) => `publisher-${index}`),
        ...Array.from({ length: Math.min(MAX_USERS, Math.max(1, readers)) }, (_, index) => `reader-${index}`),
      ];
      const minted: string[] = new Array<string>(names.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: MINT_CONCURRENCY }, async () => {
          while (next < names.length) {
            const index = next++;
            minted[index] = await mint(names[index] ?? '');
          }
        }),
      );
      publisherTokens.push(...minted.slice(0, rooms));
      tokens.push(...minted.slice(rooms));
      return { available: true };
    } catch (err) {
      if (err instanceof Unavailable) return { available: false, reason: err.message };
      throw err;
    }
  };

  // Ready once the join is answered; a refusal (an error reply) before that fails the socket.
  const open = (url: string, room: number, onFrame: (frame: Buffer) => void) =>
    new WsBenchSocket(url, {
      readyOnOpen: false,
      open: (socket) => socket.send(`{"action":"chat.join","id":"${JOIN_ID}","payload":{"room":"r${room % roomCount}"}}`),
      frame: (socket, frame) => {
        if (socket.isReady) return onFrame(frame);
        if (!frame.subarray(0, JOINED.length).equals(JOINED)) return;
        if (frame.indexOf(ERROR) >= 0) socket.fail(new Error(`chat.join was refused: ${frame.toString().slice(0, 200)}`));
        else socket.markReady();
      },
    });
  const userUrl = (base: string, value: string) => `${toWsUrl(base)}/ws?token=${encodeURIComponent(value)}`;

  let readerIndex = 0;
  return {
    prepare,
    reader: (room, sink) => open(userUrl(target.readUrl, token(tokens, readerIndex++)), room, sink),
    publisher: (room, onRefused) =>
      open(userUrl(target.publishUrl, token(publisherTokens, room)), room, (frame) => {
        // The reply to chat.send is the stored message; only a refusal carries an error object.
        if (frame.indexOf(ERROR) >= 0) onRefused(frame.toString());
      }),
    // The body rides in `data`, so readers find its timestamp as on every other peer; `text` is required and kept to one character.
    publishFrame: (json, room) => `{"action":"chat.send","payload":{"room":"r${room}","text":"b","data":${json}}}`,
  };
}
