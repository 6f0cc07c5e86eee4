/**
 * The typed session of each socket route, created by the route when a socket opens: the user
 * socket's principal (anonymous until `authorize`) and chat rooms, the endpoint socket's
 * endpoint. The connection under it stays a transport object.
 */
import type { UserInfo } from '@switchboard/protocol';
import type { AnonymousPrincipal, EndpointPrincipal, UserPrincipal } from '../auth/principal.ts';
import { userInfo } from '../auth/principal.ts';
import { encodeUserEvent } from '../delivery/broadcasts.ts';
import { topics } from '../delivery/topics.ts';
import { SwitchboardError } from '../lib/errors.ts';
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
  /** Counts an anonymous socket's first user under the open-socket limits; throws `rate_limited` when over. */
  readonly #admit: ((principal: UserPrincipal) => void) | undefined;

  constructor(init: {
    connection: Connection;
    hub: Hub;
    services: Services;
    principal: AnonymousPrincipal | UserPrincipal;
    admit?: (principal: UserPrincipal) => void;
  }) {
    this.#admit = init.admit;
    this.#connection = init.connection;
    this.#hub = init.hub;
    this.#services = init.services;
    this.#principal = init.principal;
    if (init.principal.kind === 'user') init.connection.expireAt(init.principal.expiresAt);
  }

  get connectionId(): string {
    return this.#connection.id;
  }

  get address(): string {
    return this.#connection.address;
  }

  get principal(): AnonymousPrincipal | UserPrincipal {
    return this.#principal;
  }

  async authorize(principal: UserPrincipal): Promise<void> {
    const first = this.#principal.kind !== 'user';
    // A socket that opened anonymous counts toward its user's sockets from its first `authorize`.
    if (first) this.#admit?.(principal);
    this.#principal = principal;
    this.#connection.expireAt(principal.expiresAt);
    if (first) await this.joinUserTopics();
    this.#connection.afterReply(() => this.#connection.send(welcomeFrame(principal)));
  }

  /** Joins the topics of the authenticated user; closes the socket if the user was deleted meanwhile. */
  async joinUserTopics(): Promise<void> {
    const principal = this.#principal;
    if (principal.kind !== 'user') return;
    const joins = [topics.app(principal.appId), topics.appUsers(principal.appId)];
    // An app-signed user has no row to delete or notify, and its id is the app's: a per-user
    // topic keyed by it could meet another app's user of the same id.
    if (!principal.external) joins.push(topics.user(principal.userId));
    await Promise.all(joins.map((topic) => this.#hub.join(topic, this.#connection)));
    // Deleted between the credential's read and the subscriptions: the close went unheard here.
    if (this.#services.users.revoked(principal)) return this.#connection.close('unauthorized');
    // Changed in that window: the `user.updated` may have gone unheard too, so read the user again.
    if (this.#services.users.changed(principal)) {
      const now = await this.#services.users.current(principal);
      if (now) await this.updateUser(now);
    }
  }

  /**
   * Applies a change of the user's staff flag or display name (updateUser, on any node) to this
   * socket: the principal from now on, `user.updated` to the client, and, when the staff flag was
   * lost, removal from each staff-only room it joined (`chat.removed`, then presence as on a leave).
   */
  async updateUser(user: UserInfo): Promise<void> {
    const before = this.#principal;
    if (before.kind !== 'user' || before.external || before.userId !== user.id) return;
    const { displayName: _old, ...rest } = before;
    const after: UserPrincipal = { ...rest, ...(user.displayName ? { displayName: user.displayName } : {}), staff: user.staff };
    this.#principal = after;
    this.#connection.send(encodeUserEvent('user.updated', { user: userInfo(after) }));
    if (!before.staff || after.staff) {
      for (const room of this.joinedRooms()) await this.#services.chat.refresh(room, after, this.#connection.id);
      return;
    }
    for (const room of this.joinedRooms()) {
      const allowed = await this.#services.chat.open(after, room.name).then(
        () => true,
        // Forbidden: staff-only now. Gone (not_found): its deletion closes the room for everyone anyway.
        (err: unknown) => !(err instanceof SwitchboardError && err.code === 'forbidden'),
      );
      if (allowed) await this.#services.chat.refresh(room, after, this.#connection.id);
      if (allowed || !(await this.leaveRoom(room.name))) continue;
      this.#connection.send(encodeUserEvent('chat.removed', { room: room.name, reason: 'staff_only' }));
      // As the member they were in the room: presence keys the user, not the flag.
      await this.#services.chat.exit(room, before, this.#connection.id);
    }
  }

  hasJoined(room: string): boolean {
    return this.#rooms?.has(room) ?? false;
  }

  joinedRoom(name: string): RoomRef | undefined {
    const id = this.#rooms?.get(name);
    return id === undefined ? undefined : { id, name };
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

  afterReply(fn: () => void): void {
    this.#connection.afterReply(fn);
  }

  /** Leaves the room of id `roomId` if this socket joined it; the room as it was joined, or undefined. */
  async leaveRoomById(roomId: string): Promise<RoomRef | undefined> {
    for (const [name, id] of this.#rooms ?? []) if (id === roomId) return this.leaveRoom(name);
    return undefined;
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
