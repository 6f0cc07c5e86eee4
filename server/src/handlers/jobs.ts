/** Handlers of the `job.*` actions: the job's work begins only once its answer is on the wire. */
import type { UserActions } from '@switchboard/protocol';
import type { Handlers } from '../ws/dispatcher.ts';
import { requireUser, type HandlerContext, type UserSession } from './context.ts';

type JobActions = Pick<UserActions, 'job.start' | 'job.kill' | 'job.status'>;

/** The job handlers, spread into the /ws handlers. */
export const jobHandlers = {
  'job.start': async (input, { session, services }) => {
    const started = await services.jobs.start(
      requireUser(session),
      { connectionId: session.connectionId, address: session.address },
      input,
    );
    session.afterReply(started.begin);
    return started.output;
  },
  'job.kill': async ({ jobId }, { session, services }) => {
    await services.jobs.kill(requireUser(session), jobId);
    return { jobId };
  },
  'job.status': async (_input, { session, services }) => ({ jobs: await services.jobs.status(requireUser(session)) }),
} satisfies Handlers<JobActions, HandlerContext<UserSession>>;
