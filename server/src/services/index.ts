/**
 * The services object: every rule method, built once by the composition root and handed to the
 * routes (REST) and the handlers (sockets). Services take no database argument and return wire
 * shapes; invariants live inside one method (a room's live seq, an outage being `unavailable`).
 */
import { createAppService, type AppService } from './apps.ts';
import { createChatService, type ChatService } from './chat.ts';
import type { ServiceDeps } from './context.ts';
import { createCredentialCache } from './credential-cache.ts';
import { createEndpointService, type EndpointService } from './endpoints.ts';
import { createMessageService, type MessageService } from './messages.ts';
import { createRoomCache } from './room-cache.ts';
import { createRoomService, type RoomService } from './rooms.ts';
import { createUserService, type UserService } from './users.ts';

export type { ServiceDeps } from './context.ts';
export type { AppRef, AppService } from './apps.ts';
export type { ChatService } from './chat.ts';
export type { EndpointService } from './endpoints.ts';
export type { MessageService, SenderInput, MessageContent } from './messages.ts';
export type { RoomService } from './rooms.ts';
export type { UserService } from './users.ts';
export type { DomainEvents, RoomRef } from './events.ts';
export { createAppService } from './apps.ts';

/** Every service, one object. */
export interface Services {
  apps: AppService;
  rooms: RoomService;
  endpoints: EndpointService;
  messages: MessageService;
  users: UserService;
  chat: ChatService;
  /** Applies a revocation heard on the channel layer to this node's credential cache. */
  revoke(key: string): void;
}

/** Builds the services over the stores; called once per node. */
export function createServices(deps: ServiceDeps): Services {
  const credentials = createCredentialCache(deps.db);
  const ctx = { ...deps, roomCache: createRoomCache(deps.db), credentials };
  return {
    apps: createAppService(ctx),
    rooms: createRoomService(ctx),
    endpoints: createEndpointService(ctx),
    messages: createMessageService(ctx),
    users: createUserService(ctx),
    chat: createChatService(ctx),
    revoke: (key) => credentials.revoke(key),
  };
}
