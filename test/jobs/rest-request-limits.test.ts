/**
 * A rest.request job spends the REST allowance of the client that started it: its socket's
 * address (behind a trusted proxy, the forwarded one), shared with that client's plain REST
 * calls, and not a fresh allowance per job user that would let one client multiply its requests.
 */
import { describe, expect, it } from 'vitest';
import { backends, startTestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, http } from '../helpers/tenancy.ts';
import { openSocket } from '../helpers/socket.ts';
import { finished, startJob } from './helpers.ts';

const LIMIT = 6;

describe.each(backends)('rest.request limits on %s', (backend) => {
  it('counts a job under its socket’s client address, with that client’s REST calls', async () => {
    await using server = await startTestServer({ backend, config: { trustProxy: ['loopback'], restPerAddress: LIMIT } });
    // Set up from the loopback address, which spends neither client's allowance.
    const app = await createTestApp(server, 'rest-limits');
    const alice = await createTestUser(app, 'alice');
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    await using near = await openSocket(`${server.wsUrl}/ws?token=${alice.token}`, from('198.51.100.7'));
    await using far = await openSocket(`${server.wsUrl}/ws?token=${alice.token}`, from('198.51.100.8'));
    const viaJob = async (socket: typeof near) => {
      const { jobId } = await startJob(socket, { kind: 'rest.request', params: { method: 'GET', path: '/v1/rooms' }, timeoutMs: 10_000 });
      const end = await finished(socket, jobId);
      expect(end.status).toBe('succeeded');
      return (end.result as { status: number }).status;
    };

    // The client spends all but two of its allowance over plain REST...
    for (let i = 0; i < LIMIT - 2; i++) {
      const answer = await http(server, 'GET', '/v1/rooms', from('198.51.100.7'));
      expect(answer.status).not.toBe(429);
    }
    // ...then two jobs from its socket take the rest, and the third is refused as REST would be.
    expect(await viaJob(near)).not.toBe(429);
    expect(await viaJob(near)).not.toBe(429);
    expect(await viaJob(near)).toBe(429);
    // The same user from another address has its own allowance.
    expect(await viaJob(far)).not.toBe(429);
  });
});
