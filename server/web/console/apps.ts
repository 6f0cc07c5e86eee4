/**
 * The operator's view: create apps, rotate and revoke their API keys, delete them. A new key is
 * shown once (Switchboard keeps only its hash), with a button to manage the app with it.
 */
import type { AppCreated, ApiKeyCreated } from '@switchboard/sdk';
import { h, toast } from '../shared/dom.ts';
import { section, secretBox, copyField, when, type ViewContext } from './kit.ts';

/** Opens an app's own view with one of its keys. */
export type OpenApp = (apiKey: string, name: string) => void;

/** Draws the apps into `root`. */
export async function renderApps(root: HTMLElement, ctx: ViewContext, openApp: OpenApp): Promise<void> {
  const list = await ctx.run('list the apps', () => ctx.rest.apps.list());
  if (!list) return;
  const shown = h('div', { class: 'shown-once' });
  const name = h('input', {
    id: 'app-name',
    name: 'name',
    required: true,
    maxlength: 100,
    placeholder: 'acme',
    autocomplete: 'off',
    autofocus: true,
  });
  const create = h(
    'form',
    {
      class: 'inline',
      id: 'create-app',
      onsubmit: (event) => {
        event.preventDefault();
        void ctx
          .run('create the app', () => ctx.rest.apps.create({ name: name.value.trim() }))
          .then((app?: AppCreated) => {
            if (!app) return;
            toast(`App ${app.name} created.`, 'success');
            // The list is drawn again: show the key in the new one.
            void ctx.refresh().then(() => document.getElementById('apps-shown')?.replaceChildren(keyShown(app.name, app.apiKey, openApp)));
          });
      },
    },
    h('label', {}, 'Name', name),
    h('button', { type: 'submit' }, 'Create app'),
  );
  const items = list.items.map((app) => {
    const keys = h(
      'ul',
      { class: 'rows' },
      ...app.keys.map((key) =>
        h(
          'li',
          { class: 'row-item', 'data-key': key.id },
          h('span', { class: 'mono', text: `${key.prefix}…` }),
          h('span', { class: 'hint', text: `added ${when(key.createdAt)}` }),
          h(
            'button',
            {
              type: 'button',
              class: 'link danger',
              onclick: () => {
                if (!confirm(`Revoke the key ${key.prefix}…? Backends still using it are refused at once.`)) return;
                void ctx.run('revoke the key', () => ctx.rest.apps.revokeKey(app.id, key.id)).then(() => void ctx.refresh());
              },
            },
            'Revoke',
          ),
        ),
      ),
    );
    if (app.keys.length === 0) keys.append(h('li', { class: 'empty', text: 'No live key: rotate to add one.' }));
    const here = h('div', { class: 'shown-once' });
    const older = app.keys.map((key) => key.id);
    const rotate = () =>
      void ctx
        .run('add a key', () => ctx.rest.apps.createKey(app.id))
        .then((key?: ApiKeyCreated) => {
          if (!key) return;
          const revokeOld = h(
            'button',
            {
              type: 'button',
              class: 'secondary small',
              disabled: older.length === 0,
              onclick: () =>
                void ctx
                  .run('revoke the older keys', () => Promise.all(older.map((id) => ctx.rest.apps.revokeKey(app.id, id))))
                  .then((done) => {
                    if (done) toast(`${older.length} older key(s) revoked.`, 'success');
                    void ctx.refresh();
                  }),
            },
            'Revoke the older keys',
          );
          here.replaceChildren(keyShown(app.name, key.apiKey, openApp, revokeOld));
          keys.append(
            h(
              'li',
              { class: 'row-item', 'data-key': key.id },
              h('span', { class: 'mono', text: `${key.prefix}…` }),
              h('span', { class: 'badge new', text: 'new' }),
            ),
          );
        });
    return h(
      'li',
      { class: 'card app', 'data-app': app.name },
      h('div', { class: 'app-head' }, h('h3', { text: app.name }), h('span', { class: 'hint', text: `created ${when(app.createdAt)}` })),
      copyField(`App id of ${app.name}`, app.id),
      h('h4', { text: 'API keys' }),
      keys,
      here,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', class: 'small', 'data-action': 'rotate', onclick: rotate }, 'Rotate key'),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary small danger',
            onclick: () => {
              if (!confirm(`Delete ${app.name} with all its rooms, users and messages? Its sockets are closed.`)) return;
              void ctx.run('delete the app', () => ctx.rest.apps.delete(app.id)).then(() => void ctx.refresh());
            },
          },
          'Delete app',
        ),
      ),
    );
  });
  root.replaceChildren(
    section(
      'New app',
      h('p', { class: 'hint', text: 'An app is a tenant: its rooms, endpoints and users are invisible to every other app.' }),
      create,
      Object.assign(shown, { id: 'apps-shown' }),
    ),
    section(
      `Apps (${list.items.length})`,
      items.length ? h('ul', { class: 'apps' }, ...items) : h('p', { class: 'empty', text: 'No app yet.' }),
    ),
  );
}

function keyShown(app: string, apiKey: string, openApp: OpenApp, ...more: HTMLElement[]): HTMLElement {
  return secretBox(
    `API key of ${app}`,
    apiKey,
    'Shown this once: Switchboard keeps only its hash. Copy it into the app’s backend now.',
    h('button', { type: 'button', class: 'small', onclick: () => openApp(apiKey, app) }, `Manage ${app} with this key`),
    ...more,
  );
}
