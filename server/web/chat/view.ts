/**
 * What the chat page shows once signed in: the app's room list (kept live by `rooms.changed`),
 * one tab per joined room, and in each its messages, members and composer. Messages are keyed by
 * id, so an event seen twice renders once and an edit or delete changes the message in place.
 */
import { isSwitchboardError, type Room, type RoomMessage, type SwitchboardClient, type UserInfo } from '@switchboard/sdk';
import { byId, clock, h, toast } from '../shared/dom.ts';

/** The signed-in part of the page. */
export interface ChatView {
  /** Loads the room list and joins the rooms of the last visit (or the first open one). */
  start(): void;
  /** Stops listening and empties the page. */
  destroy(): void;
}

interface Joined {
  name: string;
  tab: HTMLButtonElement;
  panel: HTMLElement;
  list: HTMLOListElement;
  membersEl: HTMLElement;
  input: HTMLInputElement;
  older: HTMLButtonElement;
  members: Map<string, UserInfo>;
  messages: Map<string, { message: RoomMessage; el: HTMLLIElement }>;
  unread: number;
  editing: string | undefined;
}

const HISTORY_PAGE = 50;

/** The name to show for a user: their display name, else the username. */
export function nameOf(user: Pick<UserInfo, 'username' | 'displayName'>): string {
  return user.displayName ?? user.username;
}

/** Builds the view over a client whose socket may still be opening. */
export function createChatView(client: SwitchboardClient): ChatView {
  const roomList = byId('room-list');
  const tabs = byId('tabs');
  const panelBox = byId('room-panel');
  const noRoom = byId('no-room');
  const rooms = new Map<string, Room>();
  const joined = new Map<string, Joined>();
  const refused = new Map<string, string>();
  const joining = new Set<string>();
  let active: string | undefined;
  let opens = 0;
  const rememberKey = () => `switchboard.chat.rooms.${client.user?.id ?? ''}`;

  const me = (): UserInfo | undefined => client.user;
  const mayChange = (message: RoomMessage) => {
    const user = me();
    return !!user && !message.deleted && (user.staff || (message.sender.type === 'user' && message.sender.id === user.id));
  };

  function fail(title: string, error: unknown): void {
    toast(isSwitchboardError(error) ? error.message : String(error), 'error', title);
  }

  // The room list ---------------------------------------------------------------------------
  function renderRooms(): void {
    const items = [...rooms.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((room) => {
        const isJoined = joined.has(room.name);
        const why = refused.get(room.name);
        return h(
          'li',
          { class: `room${isJoined ? ' joined' : ''}${room.name === active ? ' active' : ''}`, 'data-room': room.name },
          h(
            'button',
            {
              type: 'button',
              class: 'room-open',
              title: isJoined ? 'Show this room' : 'Join this room',
              onclick: () => (isJoined ? activate(room.name) : join(room.name)),
            },
            h('span', { class: 'room-title', text: room.title ?? room.name }),
            room.staffOnly ? h('span', { class: 'badge', title: 'Only staff may join' }, 'staff only') : undefined,
            h('span', { class: 'room-name', text: `#${room.name}` }),
          ),
          isJoined
            ? h(
                'button',
                { type: 'button', class: 'secondary small', onclick: () => leave(room.name), 'aria-label': `Leave ${room.name}` },
                'Leave',
              )
            : h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  disabled: joining.has(room.name),
                  onclick: () => join(room.name),
                  'aria-label': `Join ${room.name}`,
                },
                'Join',
              ),
          why ? h('p', { class: 'refused', role: 'alert', text: why }) : undefined,
        );
      });
    roomList.replaceChildren(
      ...(items.length ? items : [h('li', { class: 'empty', text: 'No rooms yet: an app creates them over REST.' })]),
    );
  }

  async function loadRooms(): Promise<void> {
    try {
      const { rooms: list } = await client.rooms.list();
      rooms.clear();
      for (const room of list) rooms.set(room.name, room);
      renderRooms();
    } catch (error) {
      fail('Could not list the rooms', error);
    }
  }

  // Joining and leaving ------------------------------------------------------------------------
  async function join(name: string): Promise<void> {
    if (joined.has(name) || joining.has(name)) return activate(name);
    joining.add(name);
    refused.delete(name);
    renderRooms();
    try {
      const answer = await client.chat.join({ room: name });
      const room = addRoom(name);
      for (const member of answer.members) room.members.set(member.id, member);
      renderMembers(room);
      activate(name);
      remember();
      await loadHistory(room);
    } catch (error) {
      if (isSwitchboardError(error, 'chat.join') && error.code === 'forbidden') {
        refused.set(name, 'Only staff may join this room; you are signed in without the staff flag.');
        toast(`You may not join #${name}: it is for staff only.`, 'error', 'Refused');
      } else fail(`Could not join #${name}`, error);
    } finally {
      joining.delete(name);
      renderRooms();
    }
  }

  async function leave(name: string): Promise<void> {
    const room = joined.get(name);
    if (!room) return;
    try {
      await client.chat.leave({ room: name });
    } catch (error) {
      // Leaving a room the server already forgot (deleted) is still leaving it here.
      if (!(isSwitchboardError(error) && error.code === 'not_found')) return fail(`Could not leave #${name}`, error);
    }
    drop(name);
  }

  function drop(name: string): void {
    const room = joined.get(name);
    if (!room) return;
    joined.delete(name);
    room.tab.remove();
    room.panel.remove();
    if (active === name) activate([...joined.keys()][0]);
    remember();
    renderRooms();
  }

  function remember(): void {
    localStorage.setItem(rememberKey(), JSON.stringify([...joined.keys()]));
  }

  function remembered(): string[] {
    try {
      const value: unknown = JSON.parse(localStorage.getItem(rememberKey()) ?? '[]');
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    } catch {
      return [];
    }
  }

  // Tabs and panels --------------------------------------------------------------------------
  function addRoom(name: string): Joined {
    const title = rooms.get(name)?.title ?? name;
    const list = h('ol', { class: 'messages', 'aria-label': `Messages in ${title}`, 'aria-live': 'polite' });
    const input = h('input', {
      class: 'compose-input',
      name: 'text',
      autocomplete: 'off',
      maxlength: 4000,
      placeholder: `Message #${name}`,
      'aria-label': `Message #${name}`,
    });
    const older = h('button', { type: 'button', class: 'secondary small older', hidden: true }, 'Load older messages');
    const membersEl = h('ul', { class: 'members', 'aria-label': 'Members' });
    const tab = h('button', {
      type: 'button',
      role: 'tab',
      class: 'tab',
      id: `tab-${name}`,
      'data-room': name,
      'aria-controls': `panel-${name}`,
    });
    const composer = h('form', { class: 'composer' }, input, h('button', { type: 'submit' }, 'Send'));
    const panel = h(
      'section',
      { class: 'room-view', id: `panel-${name}`, role: 'tabpanel', 'data-room': name, 'aria-labelledby': `tab-${name}`, hidden: true },
      h(
        'div',
        { class: 'room-head' },
        h('h2', { text: title }),
        h('details', { class: 'members-box' }, h('summary', { class: 'member-count' }), membersEl),
      ),
      h('div', { class: 'scroller' }, older, list),
      composer,
    );
    const room: Joined = {
      name,
      tab,
      panel,
      list,
      membersEl,
      input,
      older,
      members: new Map(),
      messages: new Map(),
      unread: 0,
      editing: undefined,
    };
    tab.addEventListener('click', () => activate(name));
    tab.addEventListener('keydown', (event) => moveTab(event, name));
    older.addEventListener('click', () => void loadHistory(room, true));
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      void send(room);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowUp' || input.value !== '') return;
      const last = [...room.messages.values()].reverse().find(({ message }) => mayChange(message) && message.sender.id === me()?.id);
      if (last) {
        event.preventDefault();
        startEdit(room, last.message.id);
      }
    });
    joined.set(name, room);
    tabs.append(tab);
    panelBox.append(panel);
    renderTab(room);
    return room;
  }

  function renderTab(room: Joined): void {
    const title = rooms.get(room.name)?.title ?? room.name;
    room.tab.replaceChildren(
      h('span', { text: title }),
      ...(room.unread ? [h('span', { class: 'unread', 'aria-label': `${room.unread} unread`, text: String(room.unread) })] : []),
    );
    room.tab.setAttribute('aria-selected', String(room.name === active));
    room.tab.tabIndex = room.name === active ? 0 : -1;
  }

  function moveTab(event: KeyboardEvent, name: string): void {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const names = [...joined.keys()];
    const next = names[(names.indexOf(name) + (event.key === 'ArrowRight' ? 1 : names.length - 1)) % names.length];
    activate(next);
    if (next) joined.get(next)?.tab.focus();
  }

  function activate(name: string | undefined): void {
    active = name;
    noRoom.hidden = joined.size > 0;
    for (const room of joined.values()) {
      room.panel.hidden = room.name !== name;
      if (room.name === name) {
        room.unread = 0;
        scrollDown(room, true);
      }
      renderTab(room);
    }
    renderRooms();
    if (name) joined.get(name)?.input.focus();
  }

  function renderMembers(room: Joined): void {
    const members = [...room.members.values()].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    room.membersEl.replaceChildren(
      ...members.map((m) =>
        h(
          'li',
          { class: 'member', title: `@${m.username}` },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          h('span', { text: nameOf(m) }),
          m.staff ? h('span', { class: 'badge', text: 'staff' }) : undefined,
        ),
      ),
    );
    const summary = room.panel.querySelector('.member-count');
    if (summary) summary.textContent = `${members.length} here: ${members.map(nameOf).join(', ')}`;
  }

  // Messages ----------------------------------------------------------------------------------
  async function loadHistory(room: Joined, older = false): Promise<void> {
    const first = Math.min(...[...room.messages.values()].map(({ message }) => message.seq));
    try {
      const page = await client.chat.history(
        older && Number.isFinite(first)
          ? { room: room.name, before: first, limit: HISTORY_PAGE }
          : { room: room.name, limit: HISTORY_PAGE },
      );
      for (const message of page.messages) upsert(room, message, false);
      room.older.hidden = !page.more;
      if (!older) scrollDown(room, true);
    } catch (error) {
      fail(`Could not load #${room.name}'s history`, error);
    }
  }

  function upsert(room: Joined, message: RoomMessage, live: boolean): void {
    const known = room.messages.get(message.id);
    if (known) {
      known.message = message;
      if (room.editing !== message.id || message.deleted) renderMessage(room, known.el, message);
      if (message.deleted && room.editing === message.id) room.editing = undefined;
      return;
    }
    const stick = nearBottom(room);
    const el = h('li', { class: 'msg', 'data-id': message.id, 'data-seq': message.seq });
    room.messages.set(message.id, { message, el });
    renderMessage(room, el, message);
    const after = [...room.list.querySelectorAll<HTMLLIElement>('li.msg')].find((other) => Number(other.dataset.seq) > message.seq);
    room.list.insertBefore(el, after ?? null);
    if (live && room.name !== active && message.sender.id !== me()?.id) {
      room.unread++;
      renderTab(room);
    }
    if (stick) scrollDown(room, false);
  }

  function renderMessage(room: Joined, el: HTMLLIElement, message: RoomMessage): void {
    const mine = message.sender.type === 'user' && message.sender.id === me()?.id;
    el.className = `msg${mine ? ' mine' : ''}${message.deleted ? ' deleted' : ''}`;
    const meta = h(
      'div',
      { class: 'meta' },
      h('span', {
        class: 'author',
        text: message.sender.displayName ?? message.sender.identity,
        title: message.sender.displayName ? `@${message.sender.identity}` : undefined,
      }),
      message.sender.type !== 'user' ? h('span', { class: 'badge', text: message.sender.type }) : undefined,
      h('time', { datetime: message.createdAt, text: clock(message.createdAt) }),
      message.editedAt && !message.deleted ? h('span', { class: 'edited', text: '(edited)' }) : undefined,
    );
    const text = message.deleted ? 'message deleted' : (message.text ?? JSON.stringify(message.data));
    const actions = mayChange(message)
      ? h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'link', onclick: () => startEdit(room, message.id), 'aria-label': 'Edit message' }, 'Edit'),
          deleteButton(room, message),
        )
      : undefined;
    el.replaceChildren(meta, h('p', { class: 'text', text }), ...(actions ? [actions] : []));
  }

  function deleteButton(room: Joined, message: RoomMessage): HTMLButtonElement {
    // Two clicks instead of confirm(): a modal dialog would block the page and its keyboard flow.
    const button = h('button', { type: 'button', class: 'link danger', 'aria-label': 'Delete message' }, 'Delete');
    button.addEventListener('click', () => {
      if (button.dataset.armed !== 'true') {
        button.dataset.armed = 'true';
        button.textContent = 'Really delete?';
        return;
      }
      button.disabled = true;
      client.chat.delete({ room: room.name, id: message.id }).then(
        (gone) => upsert(room, { ...message, deleted: true, text: undefined, seq: gone.seq }, false),
        (error: unknown) => fail('Could not delete the message', error),
      );
    });
    button.addEventListener('blur', () => {
      button.dataset.armed = 'false';
      button.textContent = 'Delete';
    });
    return button;
  }

  function startEdit(room: Joined, id: string): void {
    const entry = room.messages.get(id);
    if (!entry || !mayChange(entry.message)) return;
    room.editing = id;
    const input = h('input', {
      class: 'edit-input',
      value: entry.message.text ?? '',
      maxlength: 4000,
      'aria-label': 'Edit the message; Enter saves, Escape cancels',
    });
    const done = () => {
      room.editing = undefined;
      const latest = room.messages.get(id);
      if (latest) renderMessage(room, latest.el, latest.message);
      room.input.focus();
    };
    const form = h(
      'form',
      { class: 'edit' },
      input,
      h('button', { type: 'submit', class: 'small' }, 'Save'),
      h('button', { type: 'button', class: 'secondary small', onclick: done }, 'Cancel'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text || text === entry.message.text) return done();
      client.chat.edit({ room: room.name, id, text }).then(
        (edited) => {
          room.editing = undefined;
          upsert(room, edited, false);
          room.input.focus();
        },
        (error: unknown) => fail('Could not edit the message', error),
      );
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') done();
    });
    entry.el.querySelector('.text')?.replaceWith(form);
    entry.el.querySelector('.actions')?.remove();
    input.focus();
    input.select();
  }

  async function send(room: Joined): Promise<void> {
    const text = room.input.value.trim();
    if (!text) return;
    room.input.value = '';
    try {
      upsert(room, await client.chat.send({ room: room.name, text }), false);
      scrollDown(room, true);
    } catch (error) {
      // Put the text back: the message may not have been posted, and only the person knows whether to retry.
      if (room.input.value === '') room.input.value = text;
      fail('Not sent', error);
    }
  }

  function system(room: Joined, text: string): void {
    const stick = nearBottom(room);
    room.list.append(h('li', { class: 'system', text }));
    if (stick) scrollDown(room, false);
  }

  function nearBottom(room: Joined): boolean {
    const scroller = room.list.parentElement;
    return !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  function scrollDown(room: Joined, always: boolean): void {
    const scroller = room.list.parentElement;
    if (scroller && (always || nearBottom(room))) scroller.scrollTop = scroller.scrollHeight;
  }

  // Events ------------------------------------------------------------------------------------
  const stops = [
    client.chat.on('message', (message) => {
      const room = joined.get(message.room);
      if (room) upsert(room, message, true);
    }),
    client.chat.on('edited', (message) => {
      const room = joined.get(message.room);
      if (room) upsert(room, message, false);
    }),
    client.chat.on('deleted', ({ room: name, id, seq }) => {
      const room = joined.get(name);
      const entry = room?.messages.get(id);
      if (room && entry) upsert(room, { ...entry.message, seq, deleted: true, text: undefined, data: undefined }, false);
    }),
    client.chat.on('joined', ({ room: name, user }) => {
      const room = joined.get(name);
      if (!room || room.members.has(user.id)) return;
      room.members.set(user.id, user);
      renderMembers(room);
      system(room, `${nameOf(user)} joined`);
    }),
    client.chat.on('left', ({ room: name, user }) => {
      const room = joined.get(name);
      if (!room || !room.members.delete(user.id)) return;
      renderMembers(room);
      system(room, `${nameOf(user)} left`);
    }),
    client.chat.on('member', ({ room: name, user }) => {
      // Another member's new display name or staff flag: the list shows it without a rejoin.
      const room = joined.get(name);
      if (!room || !room.members.has(user.id)) return;
      room.members.set(user.id, user);
      renderMembers(room);
    }),
    client.chat.on('gap', ({ room: name }) => {
      const room = joined.get(name);
      if (room) void loadHistory(room);
    }),
    client.on('chat.removed', ({ room: name }) => {
      refused.set(name, 'Only staff may be in this room; you were removed from it.');
      if (joined.has(name)) toast(`You were removed from #${name}: it is for staff only.`, 'warning', 'Removed');
      drop(name);
    }),
    client.on('user.updated', ({ user }) => {
      // A new staff flag changes which messages may be edited; a new name changes the member lists.
      for (const room of joined.values()) {
        if (room.members.has(user.id)) room.members.set(user.id, user);
        renderMembers(room);
        for (const { message, el } of room.messages.values()) if (room.editing !== message.id) renderMessage(room, el, message);
      }
      toast(user.staff ? 'You are staff now.' : 'Your account was changed.', 'info', 'Account');
    }),
    client.chat.on('rejoinFailed', ({ room, error }) => {
      toast(error.message, 'error', `Could not rejoin #${room}`);
      drop(room);
    }),
    client.on('rooms.changed', ({ change, name, room }) => {
      if (change === 'deleted') {
        rooms.delete(name);
        if (joined.has(name)) toast(`#${name} was deleted.`, 'warning');
        drop(name);
      } else if (room) rooms.set(name, room);
      renderRooms();
      const view = joined.get(name);
      if (view) renderTab(view);
    }),
    client.on('notification', ({ message, level }) => toast(message, level, 'Notification')),
    client.on('error', ({ error }) => toast(error.message, 'error', 'Server error')),
    client.on('state', (state) => {
      // After a reconnect the SDK has rejoined the rooms; the list may have changed meanwhile.
      if (state.state === 'open' && ++opens > 1) void loadRooms();
    }),
  ];

  return {
    start() {
      opens = 1;
      void loadRooms().then(async () => {
        const wanted = remembered().filter((name) => rooms.has(name));
        const first = [...rooms.values()].find((room) => !room.staffOnly)?.name;
        for (const name of wanted.length ? wanted : first ? [first] : []) await join(name);
      });
    },
    destroy() {
      for (const stop of stops) stop();
      tabs.replaceChildren();
      panelBox.replaceChildren(noRoom);
      noRoom.hidden = false;
      roomList.replaceChildren();
    },
  };
}
