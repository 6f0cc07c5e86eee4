/**
 * /ws/worker: an app's own workers, serving the job kinds the app declared. The API key comes
 * with the upgrade (`API-Key`, or `Authorization: Bearer`), where a bad one is refused with 401,
 * or, for a client that cannot set headers, in the `authorize` frame; never in the URL. Every
 * worker socket joins its app's lifecycle topic and its key's, so deleting the app or revoking the
 * key closes it (4501) on any node; when
 * it closes, its jobs go back to the queue (jobs/app-workers.ts).
 */
import { commonErrors, workerActions, type WorkerActions } from '@switchboard/protocol';
import { workerPayloadValidators } from '@switchboard/protocol/validators';
import { topics } from '../delivery/topics.ts';
import type { HandlerContext, WorkerSession } from '../handlers/context.ts';
import { workerHandlers } from '../handlers/worker.ts';
import type { AppRef, Services } from '../services/index.ts';
import type { Connection } from '../ws/connection.ts';
import { createDispatcher } from '../ws/dispatcher.ts';
import type { Hub } from '../ws/hub.ts';
import type { AcceptSocket, UpgradeRequest } from '../ws/socket-contract.ts';
import { acceptSockets, tooManySockets, type SocketDeps } from './socket-accept.ts';

function presentedKey(request: UpgradeRequest): string | undefined {
  const header = request.header('api-key');
  if (header) return header;
  return /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
}

/** A worker socket's session: its app, once known. */
class WorkerSocketSession implements WorkerSession {
  readonly #connection: Connection;
  readonly #hub: Hub;
  readonly #services: Services;
  #app: AppRef | undefined;
  /** Counts a socket that authorizes by frame under its app (`MAX_SOCKETS_PER_APP`); throws `rate_limited` when over. */
  readonly #admit: (app: AppRef) => void;

  constructor(connection: Connection, hub: Hub, services: Services, app: AppRef | undefined, admit: (app: AppRef) => void) {
    this.#connection = connection;
    this.#hub = hub;
    this.#services = services;
    this.#app = app;
    this.#admit = admit;
  }

  get connectionId(): string {
    return this.#connection.id;
  }

  get app(): AppRef | undefined {
    return this.#app;
  }

  async authorize(app: AppRef): Promise<void> {
    this.#admit(app);
    this.#app = app;
    await this.join();
  }

  /** Joins the app's lifecycle topic and takes the socket into the app's worker pool. */
  async join(): Promise<void> {
    const app = this.#app;
    if (!app) return;
    await this.#hub.join(topics.app(app.id), this.#connection);
    if (app.keyId !== undefined) await this.#hub.join(topics.apiKey(app.keyId), this.#connection);
    const connection = this.#connection;
    this.#services.workers.attach(connection.id, app.id, (frame) => connection.send(frame));
  }
}

/** Builds the accept function of the worker route. */
export function workerSocket(options: SocketDeps): AcceptSocket {
  const { services, hub } = options;
  // Sockets that opened without a key and were counted under their app at `authorize`: released at their end.
  const counted = new WeakMap<Connection, () => void>();
  return acceptSockets<AppRef | undefined, HandlerContext<WorkerSocketSession>>(options, {
    channel: 'worker',
    // A worker counts under its app (and its address); one that authorizes later, only its address until `authorize`.
    countedAs: (app) => (app === undefined ? {} : { app: app.id }),
    async authenticate(request) {
      const key = presentedKey(request);
      return key === undefined ? undefined : services.apps.authenticate(key);
    },
    createContext(connection, app) {
      const admit = (authorized: AppRef) => {
        // A socket that closed while its key was checked has been cleaned up: counting it now would never be released.
        if (connection.phase.phase === 'closed') return;
        const admission = options.socketCounts.admit({ app: authorized.id });
        if (!admission.admitted) throw tooManySockets(admission.scope, admission.limit);
        counted.set(connection, admission.release);
      };
      return { session: new WorkerSocketSession(connection, hub, services, app, admit), services };
    },
    dispatch: createDispatcher<WorkerActions, HandlerContext<WorkerSocketSession>>({
      maxFrameBytes: options.config.maxFrameBytes,
      actions: workerActions,
      validators: workerPayloadValidators,
      commonErrors,
      handlers: workerHandlers,
      onError: (error) => options.metrics.error('socket', error.code, error),
      authenticated: ({ session }) => session.app !== undefined,
    }),
    subscribe: (_connection, { session }) => session.join(),
    async cleanup(connection) {
      counted.get(connection)?.();
      await services.workers.detach(connection.id);
    },
  });
}
