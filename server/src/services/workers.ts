/**
 * App workers as the REST routes and the worker socket use them: the kinds an app declares, and
 * a worker socket's commands. Every call is scoped to the caller's app (the key's app), so one
 * app never reads, serves or reports another app's kinds or jobs. The work is in jobs/.
 */
import type { BodyOf, JobKind } from '@switchboard/protocol';
import type { AppJobs } from '../jobs/app-workers.ts';
import type { AppKinds } from '../jobs/app-kinds.ts';
import { SwitchboardError } from '../lib/errors.ts';

/** The job kinds of an app (REST). */
export interface JobKindService {
  put(appId: string, name: string, input: BodyOf<'putJobKind'>): Promise<JobKind>;
  get(appId: string, name: string): Promise<JobKind>;
  list(appId: string): Promise<JobKind[]>;
  delete(appId: string, name: string): Promise<void>;
}

/** A worker socket's commands; `workerId` is its connection id. */
export interface WorkerService {
  attach(workerId: string, appId: string, send: (frame: string) => void): void;
  serve(workerId: string, kinds: string[], concurrency: number): Promise<{ kinds: string[]; concurrency: number }>;
  progress(workerId: string, jobId: string, value: number, data: unknown): Promise<void>;
  complete(workerId: string, jobId: string, result: unknown): Promise<void>;
  fail(workerId: string, jobId: string, message: string, details: Record<string, unknown> | undefined): Promise<void>;
  detach(workerId: string): Promise<void>;
}

const none = () => Promise.reject(new SwitchboardError('unavailable', 'This process runs no jobs.'));

/** The kinds service; without a store (a process that is no node), every call is `unavailable`. */
export function createJobKindService(kinds: AppKinds | undefined): JobKindService {
  if (!kinds) return { put: none, get: none, list: none, delete: none };
  return {
    put: (appId, name, input) => kinds.put(appId, name, input),
    get: (appId, name) => kinds.get(appId, name),
    list: (appId) => kinds.list(appId),
    delete: (appId, name) => kinds.delete(appId, name),
  };
}

/** The worker service over this node's app jobs. */
export function createWorkerService(jobs: AppJobs | undefined): WorkerService {
  if (!jobs) return { attach: () => {}, serve: none, progress: none, complete: none, fail: none, detach: async () => {} };
  return {
    attach: (workerId, appId, send) => jobs.attach(workerId, appId, send),
    serve: (workerId, kinds, concurrency) => jobs.serve(workerId, kinds, concurrency),
    progress: (workerId, jobId, value, data) => jobs.progress(workerId, jobId, value, data),
    complete: (workerId, jobId, result) => jobs.complete(workerId, jobId, result),
    fail: (workerId, jobId, message, details) => jobs.fail(workerId, jobId, message, details),
    detach: (workerId) => jobs.detach(workerId),
  };
}
