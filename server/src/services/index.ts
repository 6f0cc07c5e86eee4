/**
 * The services object: every rule method, built once by the composition root and handed to the
 * routes (REST) and the handlers (sockets). Services take no database argument and return wire
 * shapes; invariants live inside one method (a room's live seq, an outage being `unavailable`).
 */
import { createAppService, type AppService } from './apps.ts';
import { createAppTokenService, type AppTokenService } from './app-tokens.ts';
import { createChatService, type ChatService } from './chat.ts';
import type { ServiceDeps } from './context.ts';
import { createCredentialCache, roomRowOf } from './credential-cache.ts';
import { createEndpointService, type EndpointService } from './endpoints.ts';
import { createMessageService, type MessageService } from './messages.ts';
import { createRoomCache } from './room-cache.ts';
import { createRoomService, type RoomService } from './rooms.ts';
import { createUserService, type UserService } from './users.ts';
import { createJobService, type JobService } from './jobs.ts';
import { createJobKindService, createWorkerService, type JobKindService, type WorkerService } from './workers.ts';
import { answerOutages } from './presence-outages.ts';

export type { ServiceDeps } from './context.ts';
export type { AppRef, AppService } from './apps.ts';
export type { ChatService } from './chat.ts';
export type { EndpointService } from './endpoints.ts';
export type { MessageService, SenderInput, MessageContent } from './messages.ts';
export type { RoomService } from './rooms.ts';
export type { UserService } from './users.ts';
export type { JobService } from './jobs.ts';
export type { JobKindService, WorkerService } from './workers.ts';
export type { AppTokenService } from './app-tokens.ts';
export type { DomainEvents, RoomRef } from './events.ts';
export { createAppService } from './apps.ts';

/** Every service, one object. */
export interface Services {
  apps: AppService;
  rooms: RoomService;
  endpoints: EndpointService;
  messages: MessageService;
  users: UserService;
  /** App-signed tokens for the apps' own users. */
  appTokens: AppTokenService;
  chat: ChatService;
  jobs: JobService;
  /** The job kinds apps declare for their workers (REST). */
  jobKinds: JobKindService;
  /** The worker sockets' commands. */
  workers: WorkerService;
  /** Applies a revocation (or a room change) heard on the channel layer to this node's credential and room caches. */
  revoke(key: string): void;
}

/** Builds the services over the stores; called once per node. */
export function createServices(deps: ServiceDeps): Services {
  const credentials = createCredentialCache(deps.db);
  const roomCache = createRoomCache(deps.db);
  const ctx = { ...deps, presence: answerOutages(deps.presence), roomCache, credentials };
  return {
    apps: createAppService(ctx),
    rooms: createRoomService(ctx),
    endpoints: createEndpointService(ctx),
    messages: createMessageService(ctx),
    users: createUserService(ctx),
    appTokens: createAppTokenService(ctx),
    chat: createChatService(ctx),
    jobs: createJobService(deps.jobs),
    jobKinds: createJobKindService(deps.appKinds),
    workers: createWorkerService(deps.appJobs),
    revoke(key) {
      const changed = roomRowOf(key);
      if (changed !== undefined) return roomCache.forget(changed);
      credentials.revoke(key);
      // A deleted room goes from the room cache too, on every node.
      if (key.startsWith('room:')) roomCache.forget(key.slice('room:'.length));
    },
  };
}
