/**
 * The typed session of each socket route, created by the route when a socket opens: the user
 * socket's principal (anonymous until `authorize`) and chat rooms, the endpoint socket's
 * endpoint. The connection under it stays a transport object.
 */
import type { AnonymousPrincipal, EndpointPrincipal, UserPrincipal } from '../auth/principal.ts';
import { userInfo } from '../auth/principal.ts';
import { encodeUserEvent } from '../delivery/broadcasts.ts';
import { topics } from '../delivery/topics.ts';
import type { EndpointSession, UserSession } from '../handlers/context.ts';
import type { RoomRef, Services } from '../services/index.ts';
import type { Connection } from '../ws/connection.ts';
import type { Hub } from '../ws/hub.ts';

/** The `welcome` frame of an authenticated socket. */
export function welcomeFrame(principal: UserPrincipal): string {
  return encodeUserEvent('welcome', {
    user: userInfo(principal),
    app: { id: principal.appId, name: principal.appName },
    expiresAt: new Date(principal.expiresAt).toISOString(),
  });
}

/** A user socket's session. */
export class UserSocketSession implements UserSession {
  readonly #connection: Connection;
  readonly #hub: Hub;
  readonly #services: Services;
  #principal: AnonymousPrincipal | UserPrincipal;
  /** Chat rooms joined on this socket: name → room id. Made on first use: most sockets never chat. */
  #rooms: Map<string, string> | undefined;

  constructor(init: { connection: Connection; hub: Hub; services: Services; principal: AnonymousPrincipal | UserPrincipal }) {
    this.#connection = init.connection;
    this.#hub = init.hub;
    this.#services = init.services;
    this.#principal = init.principal;
    if (init.principal.kind === 'user') init.connection.expireAt(init.principal.expiresAt);
  }

  get connectionId(): string {
    return this.#connection.id;
  }

  get principal(): AnonymousPrincipal | UserPrincipal {
    return this.#principal;
  }

  async authorize(principal: UserPrincipal): Promise<void> {
    const first = this.#principal.kind !== 'user';
    this.#principal = principal;
    this.#connection.expireAt(principal.expiresAt);
    if (first) await this.joinUserTopics();
    this.#connection.afterReply(() => this.#connection.send(welcomeFrame(principal)));
  }

  /** Joins the topics of the authenticated user; closes the socket if the user was deleted meanwhile. */
  async joinUserTopics(): Promise<void> {
    const principal = this.#principal;
    if (principal.kind !== 'user') return;
    const joins = [topics.user(principal.userId), topics.app(principal.appId), topics.appUsers(principal.appId)];
    await Promise.all(joins.map((topic) => this.#hub.join(topic, this.#connection)));
    // Deleted between the credential's read and the subscriptions: the close went unheard here.
    if (this.#services.users.revoked(principal)) this.#connection.close('unauthorized');
  }

  hasJoined(room: string): boolean {
    return this.#rooms?.has(room) ?? false;
  }

  async enterRoom(room: RoomRef): Promise<void> {
    await this.#hub.join(topics.roomChat(room.id), this.#connection);
    (this.#rooms ??= new Map()).set(room.name, room.id);
  }

  async leaveRoom(name: string): Promise<RoomRef | undefined> {
    const id = this.#rooms?.get(name);
    if (id === undefined) return undefined;
    this.#rooms?.delete(name);
    await this.#hub.leave(topics.roomChat(id), this.#connection);
    return { id, name };
  }

  /** The rooms this socket joined. */
  joinedRooms(): RoomRef[] {
    return [...(this.#rooms ?? [])].map(([name, id]) => ({ id, name }));
  }
}

/** An endpoint socket's session: its endpoint, fixed by the code it connected with. */
export class EndpointSocketSession implements EndpointSession {
  readonly endpoint: EndpointPrincipal;

  constructor(endpoint: EndpointPrincipal) {
    this.endpoint = endpoint;
  }
}
