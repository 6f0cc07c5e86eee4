import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { PresenceErrorContext } from '../../server/src/presence/index.ts';

export { createDeferred, redisUrl } from '../channels/helpers.ts';

/** Connects a client outside the stores, to observe and tamper with Redis as an operator (or a crash) would. */
export async function connectAdmin(url: string) {
  const admin = createClient({ url });
  // A failed command fails its test; connection errors add nothing.
  admin.on('error', () => {});
  await admin.connect();
  return admin;
}

/** The client `connectAdmin` resolves with. */
export type AdminClient = Awaited<ReturnType<typeof connectAdmin>>;

/** A prefix per test: parallel test files and earlier runs share this Redis. */
export function testPrefix(): string {
  return `sb-test:${randomUUID()}:`;
}

/** One error reported through `onError`. */
export interface ReportedError {
  readonly error: unknown;
  readonly context: PresenceErrorContext;
}

/** An `onError` that records what it receives. */
export function recordErrors(): { errors: ReportedError[]; onError: (error: unknown, context: PresenceErrorContext) => void } {
  const errors: ReportedError[] = [];
  return { errors, onError: (error, context) => { errors.push({ error, context }); } };
}
