/**
 * An app's users: create them (with a password to sign in, staff or not), change the staff flag
 * and display name, reset a password, sign them out everywhere, delete them.
 */
import type { User } from '@switchboard/sdk';
import { h, toast } from '../shared/dom.ts';
import { checkbox, section, when, type ViewContext } from './kit.ts';

/** Draws the users into `root`. */
export async function renderUsers(root: HTMLElement, ctx: ViewContext): Promise<void> {
  const list = await ctx.run('list the users', () => ctx.rest.users.list());
  if (!list) return;
  const username = h('input', { id: 'user-name', required: true, maxlength: 64, placeholder: 'carol', autocomplete: 'off' });
  const displayName = h('input', { id: 'user-display', maxlength: 100, placeholder: 'Carol Shaw', autocomplete: 'off' });
  const password = h('input', {
    id: 'user-password',
    type: 'password',
    minlength: 8,
    maxlength: 200,
    autocomplete: 'new-password',
    placeholder: '8 characters or more, or none',
  });
  const staff = h('input', { type: 'checkbox', id: 'user-staff' });
  const create = h(
    'form',
    {
      id: 'create-user',
      class: 'grid-form',
      onsubmit: (event) => {
        event.preventDefault();
        const body = {
          username: username.value.trim(),
          staff: staff.checked,
          ...(password.value ? { password: password.value } : {}),
          ...(displayName.value.trim() ? { displayName: displayName.value.trim() } : {}),
        };
        void ctx
          .run('create the user', () => ctx.rest.users.create(body))
          .then((user) => {
            if (!user) return;
            toast(`${user.username} created.`, 'success');
            void ctx.refresh();
          });
      },
    },
    h('label', {}, 'Username', username),
    h('label', {}, 'Display name', displayName),
    h('label', {}, 'Password', password),
    h('label', { class: 'check' }, staff, 'Staff'),
    h('button', { type: 'submit' }, 'Create user'),
  );
  root.replaceChildren(
    section(
      `Users (${list.items.length})`,
      list.items.length
        ? h('ul', { class: 'users' }, ...list.items.map((user) => userRow(ctx, user)))
        : h('p', { class: 'empty', text: 'No user yet.' }),
    ),
    section(
      'New user',
      h('p', { class: 'hint', text: 'Without a password the user cannot sign in themselves: only the app mints their tokens.' }),
      create,
    ),
  );
}

function userRow(ctx: ViewContext, user: User): HTMLElement {
  const { rest } = ctx;
  const reset = h('form', { class: 'inline reset', hidden: true });
  const newPassword = h('input', {
    type: 'password',
    minlength: 8,
    maxlength: 200,
    required: true,
    autocomplete: 'new-password',
    'aria-label': `New password for ${user.username}`,
  });
  reset.append(
    newPassword,
    h('button', { type: 'submit', class: 'small' }, 'Set password'),
    h('button', { type: 'button', class: 'secondary small', onclick: () => (reset.hidden = true) }, 'Cancel'),
  );
  reset.addEventListener('submit', (event) => {
    event.preventDefault();
    void ctx
      .run('reset the password', () => rest.users.update(user.id, { password: newPassword.value }))
      .then((done) => {
        if (!done) return;
        toast(`${user.username}'s password was changed. Sign them out everywhere to end the sessions they have.`, 'success');
        void ctx.refresh();
      });
  });
  const name = h('input', {
    value: user.displayName ?? '',
    maxlength: 100,
    placeholder: 'display name',
    'aria-label': `Display name of ${user.username}`,
    class: 'display',
  });
  name.addEventListener('change', () => {
    const displayName = name.value.trim() || null;
    void ctx.run('rename the user', () => rest.users.update(user.id, { displayName })).then((done) => done && toast('Saved.', 'success'));
  });
  return h(
    'li',
    { class: 'user', 'data-user': user.username },
    h(
      'div',
      { class: 'user-head' },
      h('strong', { text: user.username }),
      name,
      !user.hasPassword && h('span', { class: 'badge muted', text: 'no password' }),
      user.tokensValidAfter ? h('span', { class: 'hint', text: `signed out everywhere ${when(user.tokensValidAfter)}` }) : undefined,
    ),
    h(
      'div',
      { class: 'row' },
      checkbox(
        'Staff',
        user.staff,
        (staff) => void ctx.run('change the staff flag', () => rest.users.update(user.id, { staff })).then(() => void ctx.refresh()),
        'staff',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            reset.hidden = false;
            newPassword.focus();
          },
        },
        'Reset password',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-action': 'revoke-tokens',
          onclick: () => {
            if (!confirm(`Sign ${user.username} out everywhere? Every token they have stops working and their sockets close.`)) return;
            void ctx
              .run('sign the user out', () => rest.users.revokeTokens(user.id))
              .then((done) => {
                if (!done) return;
                toast(`${user.username} was signed out everywhere.`, 'success');
                void ctx.refresh();
              });
          },
        },
        'Sign out everywhere',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'link danger',
          onclick: () => {
            if (!confirm(`Delete ${user.username}? Their sockets are closed.`)) return;
            void ctx.run('delete the user', () => rest.users.delete(user.id)).then(() => void ctx.refresh());
          },
        },
        'Delete',
      ),
    ),
    reset,
  );
}
