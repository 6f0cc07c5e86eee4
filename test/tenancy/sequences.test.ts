/**
 * Rooms without history number their messages outside the database (memory or Redis): numbers
 * stay strictly increasing and unique across nodes, `lastSeq` reports them live, turning history
 * on continues the numbering, and a clean restart continues where it stopped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, startServer, createLogger } from '@switchboard/server';
import { backends, createContractTap, createSharedBackend, startTestServer, TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { createTestApp } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

describe.each(backends)('message numbering without history on %s', (backend) => {
  it('reports the live lastSeq and continues it when history is turned on', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server);
    await app.rest.rooms.create({ name: 'ticker', history: false });
    for (let i = 1; i <= 3; i++) expect((await app.rest.messages.publish('ticker', { data: i })).seq).toBe(i);
    expect((await app.rest.rooms.get('ticker')).lastSeq).toBe(3);
    await app.rest.rooms.update('ticker', { history: true });
    const stored = await app.rest.messages.publish('ticker', { data: 'kept' });
    expect(stored.seq).toBe(4);
    expect((await app.rest.messages.list('ticker')).items.map((m) => m.seq)).toEqual([4]);
    await app.rest.rooms.update('ticker', { history: false });
    expect((await app.rest.messages.publish('ticker', { data: 5 })).seq).toBe(5);
  });
});

describe('message numbering without history across nodes and restarts', () => {
  it('hands out unique, increasing numbers from two nodes sharing Redis', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    const onA = await createTestApp(a, 'numbers');
    const onB = { rest: (await import('@switchboard/sdk')).createRestClient({ baseUrl: b.url, apiKey: onA.apiKey }) };
    await onA.rest.rooms.create({ name: 'shared', history: false });
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const [x, y] = await Promise.all([
        onA.rest.messages.publish('shared', { data: i }),
        onB.rest.messages.publish('shared', { data: i }),
      ]);
      seqs.push(x.seq, y.seq);
    }
    expect([...seqs].sort((p, q) => p - q)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it(
    'continues after a clean restart of an embedded server',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-seq-'));
      try {
        const config = defaultConfig({ port: 0, dataDir, adminToken: TEST_ADMIN_TOKEN, demo: 'off' });
        const logger = createLogger({ level: 'silent' });
        // Restarting on the same data folder needs startServer itself; the contract tap still sees both nodes.
        const inspect = createContractTap();
        let seq = 0;
        let apiKey = '';
        {
          await using first = await startServer({ config, logger, inspect });
          const app = await createTestApp(first);
          apiKey = app.apiKey;
          await app.rest.rooms.create({ name: 'live', history: false });
          for (let i = 0; i < 3; i++) seq = (await app.rest.messages.publish('live', { data: i })).seq;
        }
        await using second = await startServer({ config, logger, inspect });
        const rest = (await import('@switchboard/sdk')).createRestClient({ baseUrl: second.url, apiKey });
        expect((await rest.rooms.get('live')).lastSeq).toBe(seq);
        expect((await rest.messages.publish('live', { data: 'after' })).seq).toBe(seq + 1);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    deadline(60_000),
  );
});
