/**
 * The job rules: who sees and kills which jobs. A user sees and kills their own running jobs; a
 * staff user also sees every running job of their app. The runtime (jobs/) does the running.
 */
import type { JobInfo, JobStartInput } from '@switchboard/protocol';
import type { UserPrincipal } from '../auth/principal.ts';
import type { JobRuntime, JobSocket, StartedJob } from '../jobs/job-runtime.ts';
import { SwitchboardError } from '../lib/errors.ts';

/** Jobs, as handlers use them. */
export interface JobService {
  /** Starts a job for the user of a socket; its work begins when `begin()` is called. */
  start(principal: UserPrincipal, socket: JobSocket, input: JobStartInput): Promise<StartedJob>;
  /** Kills one of the user's running jobs; `not_found` when there is none (or it is someone else's). */
  kill(principal: UserPrincipal, jobId: string): Promise<void>;
  /** The user's running jobs; staff get the app's. */
  status(principal: UserPrincipal): Promise<JobInfo[]>;
  /** A socket closed: its attached jobs end. */
  socketClosed(connectionId: string): void;
}

/** Builds the job service over this node's runtime; without one (a process that is no node), every call is `unavailable`. */
export function createJobService(runtime: JobRuntime | undefined): JobService {
  if (!runtime) {
    const none = () => Promise.reject(new SwitchboardError('unavailable', 'This process runs no jobs.'));
    return { start: none, kill: none, status: none, socketClosed: () => {} };
  }
  return {
    start: (principal, socket, input) => runtime.start(principal, socket, input),
    kill: (principal, jobId) => runtime.kill(principal, jobId),
    status: (principal) => runtime.list(principal.appId, principal.staff ? undefined : principal.userId),
    socketClosed: (connectionId) => runtime.socketClosed(connectionId),
  };
}
