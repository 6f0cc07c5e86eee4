/**
 * The browser entry of @switchboard/sdk: it uses `globalThis.WebSocket` and leaves the frame
 * validators out of the bundle (pass `validator` from `@switchboard/sdk/validate` to use them).
 */
export { createClient } from './client.ts';
export { createEndpointClient } from './endpoint-client.ts';
export { createWorker } from './worker.ts';
export type { Worker, WorkerClientEvents, WorkerHandler, WorkerJobContext, WorkerKindMap, WorkerOptions } from './worker.ts';
export { createRestClient, unwrap } from './rest-client.ts';
export { SwitchboardError, isSwitchboardError, isErrorCode } from './errors.ts';
export { backoff } from './backoff.ts';
export { JobError } from './jobs.ts';
export type { JobHandle, JobKinds, JobProgress, JobStartOptions, JobsApi, JobFailureStatus } from './jobs.ts';
export type {
  AnyErrorCode,
  CallErrorCode,
  ClientErrorCode,
  FrameErrorCode,
  RequestError,
  RequestErrorCode,
  SwitchboardErrorOptions,
} from './errors.ts';
export type { RestClient, RestClientOptions } from './rest-client.ts';
export type * from './types.ts';
export type * from '@switchboard/protocol';
