/** Handlers of the worker socket's actions: thin, typed by the generated registry. */
import type { WorkerActions } from '@switchboard/protocol';
import { SwitchboardError } from '../lib/errors.ts';
import type { Handlers } from '../ws/dispatcher.ts';
import { requireWorkerApp, type HandlerContext, type WorkerSession } from './context.ts';

/** Every worker action's handler; `satisfies` makes a missing one a compile error. */
export const workerHandlers = {
  ping: () => ({ pong: true, time: new Date().toISOString() }),
  authorize: async ({ apiKey }, { session, services }) => {
    const app = await services.apps.authenticate(apiKey);
    if (session.app && session.app.id !== app.id) throw new SwitchboardError('forbidden', 'This socket already serves another app.');
    if (!session.app) await session.authorize(app);
    return { app: { id: app.id, name: app.name } };
  },
  'worker.serve': async ({ kinds, concurrency = 1 }, { session, services }) => {
    requireWorkerApp(session);
    return services.workers.serve(session.connectionId, kinds, concurrency);
  },
  'job.progress': async ({ jobId, progress, data }, { session, services }) => {
    await services.workers.progress(session.connectionId, jobId, progress, data);
    return { jobId };
  },
  'job.complete': async ({ jobId, result }, { session, services }) => {
    await services.workers.complete(session.connectionId, jobId, result);
    return { jobId };
  },
  'job.fail': async ({ jobId, message, details }, { session, services }) => {
    await services.workers.fail(session.connectionId, jobId, message, details);
    return { jobId };
  },
} satisfies Handlers<WorkerActions, HandlerContext<WorkerSession>>;
