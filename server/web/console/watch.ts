/**
 * Watching a room live. No user-less watcher exists in the API, so the console creates a
 * read-only endpoint ("console watcher") and opens its socket with `?presence=true`: `message`
 * events feed the messages, and `member.joined` / `member.left` keep the member list, read once
 * over REST (GET /v1/rooms/{room}/members) after `connected`, when the socket already hears every
 * change (so none falls between the read and the events). The endpoint is revoked on stop.
 *
 * Why an endpoint socket and not a REST stream (SSE): the server already fans room events out to
 * endpoint readers on every node, an endpoint is the app's own read-only credential for one room,
 * and the console needs this socket for the messages anyway: one connection, no new transport.
 */
import type { RestClient, RoomMessage, UserInfo } from '@switchboard/sdk';
import { clock, h } from '../shared/dom.ts';

const KEEP_MESSAGES = 200;

/** Where a watch draws. */
export interface WatchTargets {
  members: HTMLElement;
  feed: HTMLElement;
  state: HTMLElement;
}

/** A live watch of one room. */
export interface Watch {
  readonly room: string;
  /** Draws into these elements from now on (the view is redrawn after each change). */
  bind(targets: WatchTargets): void;
  /** Closes the socket and revokes the endpoint. */
  stop(): Promise<void>;
}

/** One message as a list item: who, when, seq, and its text or JSON. */
export function renderMessage(message: RoomMessage): HTMLElement {
  const body =
    message.deleted === true
      ? h('em', { class: 'hint', text: 'deleted' })
      : typeof message.text === 'string'
        ? h('span', { text: message.text })
        : h('code', { text: JSON.stringify(message.data) });
  return h(
    'li',
    { 'data-seq': message.seq },
    h('span', { class: 'seq', text: `#${message.seq}` }),
    h('strong', { text: message.sender.identity }),
    h('span', { class: 'hint', text: clock(message.createdAt) }),
    body,
  );
}

/** Starts watching `room`. */
export async function startWatch(rest: RestClient, room: string): Promise<Watch> {
  const endpoint = await rest.endpoints.create(room, { permissions: 'read', identity: 'console watcher' });
  let targets: WatchTargets | undefined;
  const members = new Map<string, UserInfo>();
  const messages: RoomMessage[] = [];
  let state: { kind: 'connecting' } | { kind: 'open' } | { kind: 'closed'; why: string } = { kind: 'connecting' };

  const draw = () => {
    if (!targets) return;
    targets.state.dataset.state = state.kind === 'open' ? 'open' : state.kind === 'connecting' ? 'reconnecting' : 'closed';
    targets.state.textContent = state.kind === 'open' ? 'watching live' : state.kind === 'connecting' ? 'connecting…' : state.why;
    targets.members.replaceChildren(
      ...(members.size
        ? [...members.values()]
            .sort((a, b) => a.username.localeCompare(b.username))
            .map((m) =>
              h(
                'li',
                {},
                h('span', { text: m.displayName ?? m.username }),
                m.displayName ? h('span', { class: 'hint', text: `@${m.username}` }) : undefined,
                m.staff && h('span', { class: 'badge', text: 'staff' }),
              ),
            )
        : [h('li', { class: 'empty', text: 'Nobody is in the room’s chat right now.' })]),
    );
    targets.feed.replaceChildren(
      ...(messages.length ? messages.map(renderMessage).reverse() : [h('li', { class: 'empty', text: 'Waiting for messages…' })]),
    );
  };

  // Presence events that arrive while the first member list is being read are applied after it.
  let pending: { action: string; user: UserInfo }[] | undefined = [];
  const apply = (action: string, user: UserInfo) => {
    if (action === 'member.joined') members.set(user.id, user);
    else members.delete(user.id);
  };
  const readMembers = async () => {
    try {
      for (const user of (await rest.rooms.members(room)).items) members.set(user.id, user);
    } catch {
      state = { kind: 'closed', why: 'could not read the members; stop and watch again' };
    }
    for (const event of pending ?? []) apply(event.action, event.user);
    pending = undefined;
    draw();
  };

  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${endpoint.path}?presence=true`;
  const socket = new WebSocket(url);
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(String(event.data)) as { action?: string; payload?: unknown };
    if (frame.action === 'connected') {
      state = { kind: 'open' };
      void readMembers();
    } else if (frame.action === 'message') {
      messages.push(frame.payload as RoomMessage);
      if (messages.length > KEEP_MESSAGES) messages.shift();
    } else if (frame.action === 'member.joined' || frame.action === 'member.left') {
      const { user } = frame.payload as { user: UserInfo };
      if (pending) pending.push({ action: frame.action, user });
      else apply(frame.action, user);
    }
    draw();
  });
  socket.addEventListener('close', (event) => {
    state = { kind: 'closed', why: `closed (${event.code}${event.reason ? ` ${event.reason}` : ''})` };
    draw();
  });

  return {
    room,
    bind(next) {
      targets = next;
      draw();
    },
    async stop() {
      targets = undefined;
      socket.close(1000, 'stopped watching');
      await rest.endpoints.delete(room, endpoint.id).catch(() => undefined);
    },
  };
}
