/** The credential cache: hits skip the database, revocations evict, and a read racing a revocation is refused. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialCache, revocationKey } from '@switchboard/server/testing';
import { createApp } from '@switchboard/server/testing';
import { createRoom } from '@switchboard/server/testing';
import { createEndpoint, deleteEndpoint } from '@switchboard/server/testing';
import { hashSecret } from '@switchboard/server/testing';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';

describe('credential cache', () => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await createTestDatabase('pglite');
  });
  afterEach(() => test.close());

  async function endpointWithCode(code: string) {
    const app = await createApp(test.db, { name: 'a' });
    const room = await createRoom(test.db, { appId: app.id, name: 'r' });
    return createEndpoint(test.db, { appId: app.id, roomId: room.id, codeHash: hashSecret(code), permissions: 'read', identity: 'x' });
  }

  it('serves a second lookup from memory and forgets a revoked endpoint', async () => {
    const cache = createCredentialCache(test.db);
    const endpoint = await endpointWithCode('code-1');
    const first = await cache.endpoint('code-1');
    expect(first?.endpoint.id).toBe(endpoint.id);
    await deleteEndpoint(test.db, endpoint.app_id, endpoint.id);
    // Still cached: only a revocation (heard on the channel layer) evicts it.
    expect((await cache.endpoint('code-1'))?.verifiedAt).toBe(first!.verifiedAt);
    cache.revoke(revocationKey.endpoint(endpoint.id));
    expect(await cache.endpoint('code-1')).toBeUndefined();
    expect(cache.revokedSince([revocationKey.endpoint(endpoint.id)], first!.verifiedAt)).toBe(true);
  });

  it('refuses a read that a revocation overtook, and flags sockets verified before it', async () => {
    const cache = createCredentialCache(test.db);
    const endpoint = await endpointWithCode('code-2');
    const pending = cache.endpoint('code-2');
    cache.revoke(revocationKey.room(endpoint.room_id));
    expect(await pending).toBeUndefined();
    expect(cache.revokedSince([revocationKey.app(endpoint.app_id)], 0)).toBe(false);
  });
});
