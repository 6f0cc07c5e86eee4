/** Shortcuts of the job suites: start a job over a raw socket, collect its frames, prove nothing is left. */
import { expect } from 'vitest';
import type { Frame, TestSocket } from '../helpers/socket.ts';
import type { TestServer } from '../helpers/server.ts';

/** The job.progress and job.finished frames of one job a socket received so far, in order. */
export function jobFrames(socket: TestSocket, jobId: string): Frame[] {
  return socket.frames.filter(
    (f) => (f.action === 'job.progress' || f.action === 'job.finished') && !f.ref && (f.payload as { jobId?: string }).jobId === jobId,
  );
}

/** Waits for a job's job.finished on a socket and returns its payload. */
export async function finished(socket: TestSocket, jobId: string) {
  const frame = await socket.next(
    (f) => f.action === 'job.finished' && (f.payload as { jobId: string }).jobId === jobId,
    `job.finished of ${jobId}`,
  );
  return frame.payload as { jobId: string; status: string; result?: unknown; error?: { code: string; message: string } };
}

/** Waits for the job.finished of each of several jobs, in whatever order they end; returns them by job id. */
export async function finishedAll(socket: TestSocket, jobIds: readonly string[]) {
  const pending = new Set(jobIds);
  const seen = new Map<string, { status: string }>();
  while (pending.size > 0) {
    const frame = await socket.next(
      (f) => f.action === 'job.finished' && pending.has((f.payload as { jobId: string }).jobId),
      `job.finished of ${[...pending].join(', ')}`,
    );
    const payload = frame.payload as { jobId: string; status: string };
    pending.delete(payload.jobId);
    seen.set(payload.jobId, payload);
  }
  return seen;
}

/** Starts a job and returns its reply's payload; fails on an error answer. */
export async function startJob(socket: TestSocket, payload: Record<string, unknown>) {
  const answer = await socket.request('job.start', payload);
  if (answer.error) throw new Error(`job.start answered ${JSON.stringify(answer.error)}`);
  return answer.payload as { jobId: string; startedAt: string; deadlineAt: string };
}

/**
 * Every event of the jobs before it has reached the socket once a later job of the same user,
 * run on the same node, has finished: events of one user travel one topic, in order.
 */
export async function settle(socket: TestSocket): Promise<void> {
  const { jobId } = await startJob(socket, { kind: 'sleep', params: { ms: 0, steps: 1 }, timeoutMs: 5000 });
  await finished(socket, jobId);
}

/** No running job, deadline timer, sleep timer or job row is left on any of the nodes. */
export async function expectNothingLeft(servers: readonly TestServer[]): Promise<void> {
  for (const server of servers) {
    await expect
      .poll(() => server.jobStats())
      .toEqual({
        running: 0,
        timers: 0,
        finishing: 0,
        sleepTimers: 0,
        appWorkers: { workers: 0, assigned: 0, waiting: 0 },
      });
  }
  await expect.poll(async () => (await servers[0]!.db.selectFrom('jobs').select('id').execute()).length).toBe(0);
}
