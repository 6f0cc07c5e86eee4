/**
 * An app's rooms: create one (staff-only, with or without history), change it, delete it; its
 * endpoints with their full socket links; its history; and a live watch of members and messages.
 */
import type { Room } from '@switchboard/sdk';
import { h, toast } from '../shared/dom.ts';
import { checkbox, secretBox, section, when, type ViewContext } from './kit.ts';
import { renderMessage, startWatch, type Watch } from './watch.ts';

/** The socket URL of an endpoint path, on this server: what a device is handed. */
export function socketUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}

let watching: Watch | undefined;

/** Stops the live watch, if any (on leaving the room or signing out). */
export function stopWatching(): void {
  void watching?.stop();
  watching = undefined;
}

/** Draws the room list and, when one is selected, the room. */
export async function renderRooms(root: HTMLElement, ctx: ViewContext, selected: string | undefined, select: (room?: string) => void) {
  const list = await ctx.run('list the rooms', () => ctx.rest.rooms.list());
  if (!list) return;
  const name = h('input', {
    id: 'room-name',
    required: true,
    maxlength: 64,
    pattern: '[A-Za-z0-9_.\\-]+',
    placeholder: 'lobby',
    autocomplete: 'off',
  });
  const title = h('input', { id: 'room-title', maxlength: 200, placeholder: 'Lobby', autocomplete: 'off' });
  const staffOnly = h('input', { type: 'checkbox', id: 'room-staff' });
  const history = h('input', { type: 'checkbox', id: 'room-history', checked: true });
  const create = h(
    'form',
    {
      id: 'create-room',
      class: 'stack',
      onsubmit: (event) => {
        event.preventDefault();
        const body = {
          name: name.value.trim(),
          staffOnly: staffOnly.checked,
          history: history.checked,
          ...(title.value.trim() ? { title: title.value.trim() } : {}),
        };
        void ctx
          .run('create the room', () => ctx.rest.rooms.create(body))
          .then((room) => {
            if (room) select(room.name);
          });
      },
    },
    h('label', {}, 'Name', name),
    h('label', {}, 'Title', title),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'check' }, staffOnly, 'Staff only'),
      h('label', { class: 'check' }, history, 'Keep history'),
    ),
    h('button', { type: 'submit' }, 'Create room'),
  );
  const rooms = h(
    'ul',
    { class: 'room-nav', 'aria-label': 'Rooms' },
    ...list.items.map((room) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'room-link',
            'aria-current': room.name === selected ? 'true' : undefined,
            'data-room': room.name,
            onclick: () => select(room.name),
          },
          h('span', { class: 'room-name', text: room.title ?? room.name }),
          h('span', { class: 'hint', text: `#${room.name}` }),
          room.staffOnly && h('span', { class: 'badge', text: 'staff' }),
          !room.history && h('span', { class: 'badge muted', text: 'live only' }),
        ),
      ),
    ),
  );
  const side = h(
    'div',
    { class: 'side' },
    section(`Rooms (${list.items.length})`, list.items.length ? rooms : h('p', { class: 'empty', text: 'No room yet: create one below.' })),
    h('div', { class: 'new-room' }, section('New room', create)),
  );
  const room = list.items.find((r) => r.name === selected);
  const detail = h('div', { class: 'detail' });
  root.replaceChildren(h('div', { class: 'split' }, side, detail));
  if (room) await renderRoom(detail, ctx, room, () => select(undefined));
  else {
    stopWatching();
    detail.append(
      section('Pick a room', h('p', { class: 'empty', text: 'Choose a room to see its endpoints, history and live members.' })),
    );
  }
}

async function renderRoom(root: HTMLElement, ctx: ViewContext, room: Room, closed: () => void): Promise<void> {
  const { rest } = ctx;
  if (watching && watching.room !== room.name) stopWatching();
  const settings = section(
    room.title ? `${room.title} · #${room.name}` : `#${room.name}`,
    h(
      'div',
      { class: 'row' },
      checkbox(
        'Staff only',
        room.staffOnly,
        (staffOnly) => void ctx.run('change the room', () => rest.rooms.update(room.name, { staffOnly })).then(() => void ctx.refresh()),
        'staffOnly',
      ),
      checkbox(
        'Keep history',
        room.history,
        (history) => void ctx.run('change the room', () => rest.rooms.update(room.name, { history })).then(() => void ctx.refresh()),
        'history',
      ),
      h('span', { class: 'hint', text: `last seq ${room.lastSeq} · created ${when(room.createdAt)}` }),
    ),
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary small danger',
          onclick: () => {
            if (!confirm(`Delete #${room.name} with its messages and endpoints? Its sockets are closed.`)) return;
            stopWatching();
            void ctx.run('delete the room', () => rest.rooms.delete(room.name)).then(closed);
          },
        },
        'Delete room',
      ),
    ),
  );
  root.replaceChildren(settings, await endpointsSection(ctx, room), watchSection(ctx, room), await historySection(ctx, room));
}

async function endpointsSection(ctx: ViewContext, room: Room): Promise<HTMLElement> {
  const { rest } = ctx;
  const list = (await ctx.run('list the endpoints', () => rest.endpoints.list(room.name)))?.items ?? [];
  const permissions = h(
    'select',
    { id: 'endpoint-permissions', 'aria-label': 'Permissions' },
    h('option', { value: 'readwrite', text: 'read and write' }),
    h('option', { value: 'read', text: 'read only' }),
    h('option', { value: 'write', text: 'write only' }),
  );
  const identity = h('input', {
    id: 'endpoint-identity',
    maxlength: 100,
    placeholder: 'kiosk',
    autocomplete: 'off',
    'aria-label': 'Identity',
  });
  const shown = h('div', { class: 'shown-once', id: 'endpoint-shown' });
  const create = h(
    'form',
    {
      id: 'create-endpoint',
      class: 'inline',
      onsubmit: (event) => {
        event.preventDefault();
        const body = {
          permissions: permissions.value as 'read' | 'write' | 'readwrite',
          ...(identity.value.trim() ? { identity: identity.value.trim() } : {}),
        };
        void ctx
          .run('create the endpoint', () => rest.endpoints.create(room.name, body))
          .then(async (created) => {
            if (!created) return;
            await ctx.refresh();
            document
              .getElementById('endpoint-shown')
              ?.replaceChildren(
                secretBox(
                  `Socket link for ${created.identity} (${created.permissions})`,
                  socketUrl(created.path),
                  'Shown this once: the code in it is stored only as a hash. Hand the link to the device or page that connects; anyone with it joins this room.',
                ),
              );
          });
      },
    },
    h('label', {}, 'Permissions', permissions),
    h('label', {}, 'Identity', identity),
    h('button', { type: 'submit' }, 'Create endpoint'),
  );
  const rows = h(
    'ul',
    { class: 'rows' },
    ...list.map((endpoint) =>
      h(
        'li',
        { class: 'row-item', 'data-endpoint': endpoint.identity },
        h('strong', { text: endpoint.identity }),
        h('span', { class: 'badge muted', text: endpoint.permissions }),
        h('span', { class: endpoint.connections ? 'live' : 'hint', text: `${endpoint.connections} connected` }),
        h('span', { class: 'hint', text: when(endpoint.createdAt) }),
        h(
          'button',
          {
            type: 'button',
            class: 'link danger',
            onclick: () => {
              if (!confirm(`Revoke ${endpoint.identity}'s endpoint? Its sockets are closed at once.`)) return;
              void ctx.run('revoke the endpoint', () => rest.endpoints.delete(room.name, endpoint.id)).then(() => void ctx.refresh());
            },
          },
          'Revoke',
        ),
      ),
    ),
  );
  return section(
    `Endpoints (${list.length})`,
    h('p', { class: 'hint', text: 'A secret socket link bound to this room: read receives its messages, write sends them.' }),
    create,
    shown,
    list.length ? rows : h('p', { class: 'empty', text: 'No endpoint yet.' }),
  );
}

function watchSection(ctx: ViewContext, room: Room): HTMLElement {
  const members = h('ul', { class: 'members', id: 'members', 'aria-label': 'Members' });
  const feed = h('ol', { class: 'feed', id: 'live', 'aria-label': 'Live messages', 'aria-live': 'polite' });
  const state = h('span', { class: 'status', id: 'watch-status', 'data-state': 'closed', text: 'not watching' });
  const button = h('button', { type: 'button', id: 'watch', class: 'small' }, 'Watch live');
  const text = h('input', {
    id: 'publish-text',
    placeholder: 'Say something to the room as the app',
    autocomplete: 'off',
    'aria-label': 'Message',
  });
  const publish = h(
    'form',
    {
      id: 'publish',
      class: 'inline',
      onsubmit: (event) => {
        event.preventDefault();
        const value = text.value.trim();
        if (!value) return;
        void ctx
          .run('publish', () => ctx.rest.messages.publish(room.name, { data: { text: value }, identity: 'console' }))
          .then((sent) => {
            if (sent) text.value = '';
          });
      },
    },
    text,
    h('button', { type: 'submit', class: 'small' }, 'Publish'),
  );
  const attach = (watch: Watch) => {
    watch.bind({ members, feed, state });
    button.textContent = 'Stop watching';
  };
  button.addEventListener('click', () => {
    if (watching) {
      stopWatching();
      button.textContent = 'Watch live';
      state.dataset.state = 'closed';
      state.textContent = 'not watching';
      return;
    }
    void ctx
      .run('watch the room', () => startWatch(ctx.rest, room.name))
      .then((watch) => {
        if (!watch) return;
        watching = watch;
        attach(watch);
        toast('Watching through a read-only endpoint named “console watcher”; it is revoked when you stop.', 'info');
      });
  });
  if (watching?.room === room.name) attach(watching);
  return section(
    'Live',
    h('div', { class: 'row' }, button, state),
    h(
      'div',
      { class: 'live-grid' },
      h('div', {}, h('h4', { text: 'Members' }), members),
      h('div', {}, h('h4', { text: 'Messages' }), feed),
    ),
    publish,
  );
}

async function historySection(ctx: ViewContext, room: Room): Promise<HTMLElement> {
  const after = Math.max(0, room.lastSeq - 50);
  const page = await ctx.run('read the history', () => ctx.rest.messages.list(room.name, { after, limit: 50 }));
  const items = page?.items ?? [];
  return section(
    'History',
    room.history ? undefined : h('p', { class: 'hint', text: 'This room keeps no history: messages are live only.' }),
    items.length
      ? h('ol', { class: 'feed', id: 'history' }, ...items.reverse().map(renderMessage))
      : h('p', { class: 'empty', text: room.history ? 'No message yet.' : 'Nothing stored.' }),
  );
}
