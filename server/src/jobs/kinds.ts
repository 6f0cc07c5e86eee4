/** What a job kind is: a name, a check of its params, and the work, which must honour its signal. */
import type { Validator } from '@switchboard/protocol';
import type { UserPrincipal } from '../auth/principal.ts';

/** What the work of a job gets besides its params. */
export interface JobContext {
  /** Aborts when the job is killed, times out, loses its socket or its node shuts down. */
  readonly signal: AbortSignal;
  /** Reports progress (0..1) and optional JSON; ignored once the job has ended. */
  progress(value: number, data?: unknown): void;
  /** Who started the job. */
  readonly principal: UserPrincipal;
  /** The address of the socket that started it (behind trusted proxies, the forwarded one). */
  readonly address: string;
}

/** One kind of job the server runs itself. */
export interface JobKind<Params = unknown, Result = unknown> {
  readonly name: string;
  /** The generated validator of the kind's params schema. */
  readonly validate: Validator<Params>;
  /** Does the work; resolves with the result, rejects to fail (a SwitchboardError's code is kept). */
  run(params: Params, context: JobContext): Promise<Result>;
}

/** Rejects with the signal's reason once it aborts (for work that cannot take a signal itself). */
export function whenAborted(signal: AbortSignal): { promise: Promise<never>; release(): void } {
  let release = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    release = () => signal.removeEventListener('abort', onAbort);
  });
  // Nobody may be waiting when the work already settled; the rejection is expected then.
  promise.catch(() => undefined);
  return { promise, release: () => release() };
}
