// The job runtime's public surface for the composition root and the services.
export { createJobRuntime, type JobRuntime, type JobRuntimeStats, type JobLimits, type StartedJob } from './job-runtime.ts';
export { createSleepKind, type SleepKind } from './sleep.ts';
export { createRestRequestKind } from './rest-request.ts';
export type { JobKind, JobContext } from './kinds.ts';
export { createAppKinds, type AppKinds, type CompiledKind } from './app-kinds.ts';
export { createAppJobs, JobLostError, type AppJobs, type AppJobsStats } from './app-workers.ts';
