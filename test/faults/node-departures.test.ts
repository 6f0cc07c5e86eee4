/**
 * Regression (issue 13, defect 7): the members of a node that crashed stayed in their rooms as
 * ghosts, with no `chat.left`, and on SIGTERM the `chat.left` was best-effort (lost when the
 * stores closed before the sockets' close handshakes). Two node processes on their own Redis and
 * Postgres: a member on node b, another on node a watching.
 *  - SIGKILL b: a surviving node sweeps b's lapsed presence and announces `chat.left` within
 *    PRESENCE_TTL_MS plus a third of it (here 3 s + 1 s).
 *  - SIGTERM b, its member's socket not answering the close handshake: b announces `chat.left`
 *    before it closes its stores.
 */
import { describe, expect, it } from 'vitest';
import { createRestClient } from '@switchboard/sdk';
import { deadline, timeScale } from '../helpers/deadline.ts';
import { openSocket, type Frame, type TestSocket } from '../helpers/socket.ts';
import { startCluster } from './soak/cluster.ts';
import '../helpers/contract-hooks.ts';

const TTL_MS = 3_000;
const presenceOf = (action: string, username: string) => (f: Frame) =>
  f.action === action && (f.payload as { user: { username: string } }).user.username === username;
const leftBy = (username: string) => presenceOf('chat.left', username);

describe('chat.left for the members of a node that went away', () => {
  it(
    'is announced after a SIGKILL (by a surviving node) and after a SIGTERM (by the node itself)',
    { timeout: 240_000 * timeScale() },
    async () => {
      await using cluster = await startCluster({ nodes: 2, readyTimeoutMs: deadline(30_000), env: { PRESENCE_TTL_MS: String(TTL_MS) } });
      const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
      const operator = createRestClient({ baseUrl: a.url, adminToken: cluster.adminToken });
      const app = await operator.apps.create({ name: 'departures' });
      const rest = createRestClient({ baseUrl: a.url, apiKey: app.apiKey });
      await rest.rooms.create({ name: 'lobby' });
      const token = async (username: string) => (await rest.users.createToken((await rest.users.create({ username })).id)).accessToken;
      const [annToken, bobToken] = await Promise.all([token('ann'), token('bob')]);
      await using ann = await openSocket(`${a.wsUrl}?token=${annToken}`);
      expect((await ann.request('chat.join', { room: 'lobby' })).payload).toBeDefined();
      const bobJoins = async (): Promise<TestSocket> => {
        const bob = await openSocket(`${b.wsUrl}?token=${bobToken}`);
        expect((await bob.request('chat.join', { room: 'lobby' })).payload).toBeDefined();
        await ann.next(presenceOf('chat.joined', 'bob'), 'chat.joined of bob');
        return bob;
      };

      const first = await bobJoins();
      const killedAt = Date.now();
      await b.stop('SIGKILL');
      await ann.next(leftBy('bob'), 'chat.left of bob after node b was killed');
      const afterKillMs = Date.now() - killedAt;
      // Gone from presence too: ann's node lists only her.
      expect((await ann.request('chat.join', { room: 'lobby' })).payload).toMatchObject({ members: [{ username: 'ann' }] });
      await first.closed;

      await b.start();
      const second = await bobJoins();
      // Bob's client stops reading: it never answers the close frame, as a peer on a dead network.
      second.ws.pause();
      await b.stop('SIGTERM');
      await ann.next(leftBy('bob'), 'chat.left of bob after node b was stopped');
      second.ws.terminate();
      // The contract tap inside the node processes saw this traffic (their violations fail this test).
      expect(cluster.contract.activeProcesses()).toBeGreaterThanOrEqual(2);
      console.log(JSON.stringify({ chatLeftAfterSigkillMs: afterKillMs, presenceTtlMs: TTL_MS }));
      expect(afterKillMs).toBeLessThan(deadline(TTL_MS + TTL_MS / 3 + 2_000));
    },
  );
});
