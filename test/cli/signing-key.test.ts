/**
 * `switchboard keys rotate-signing`: a new generated key signs, the previous one still verifies
 * the tokens it signed (until they expire), on every node sharing the database.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '@switchboard/server/testing';
import { createSharedBackend, startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';

describe('rotating the generated signing key (Postgres + Redis)', () => {
  it('signs with the new key and keeps verifying tokens signed with the old one', async () => {
    await using shared = await createSharedBackend();
    await using before = await startTestServer({ backend: 'postgres+redis', shared });
    const app = await createTestApp(before, 'keys');
    const old = await createTestUser(app, 'ada');

    const out: string[] = [];
    const code = await runCli(
      ['keys', 'rotate-signing', '--json'],
      { DATABASE_URL: shared.databaseUrl },
      {
        stdout: (text) => out.push(text),
        stderr: (text) => out.push(text),
      },
    );
    expect(code, out.join('')).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ rotated: true });

    // A node started after the rotation signs with the new key...
    await using after = await startTestServer({ backend: 'postgres+redis', shared });
    const { accessToken: fresh } = await createTestApp(after, 'keys-2').then(async (other) => {
      const user = await other.rest.users.create({ username: 'bo' });
      return other.rest.users.createToken(user.id, {});
    });
    expect(fresh.split('.')[2]).not.toBe(old.token.split('.')[2]);
    // ...and still verifies the token the old key signed.
    await using socket = await openSocket(`${after.wsUrl}/ws?token=${old.token}`);
    expect((await socket.next((f) => f.action === 'welcome')).payload).toMatchObject({ user: { username: 'ada' } });
    await using withFresh = await openSocket(`${after.wsUrl}/ws?token=${fresh}`);
    expect((await withFresh.next((f) => f.action === 'welcome')).payload).toMatchObject({ user: { username: 'bo' } });
  });
});
