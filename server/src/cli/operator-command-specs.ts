/** The operator's commands (apps and their keys) and the database's (migrate, backup, restore). */
import { at, type CommandSpecs } from './command-types.ts';

/** Apps and API keys: the operator token, through a server or on the database. */
export const operatorCommandSpecs: CommandSpecs<
  'apps create' | 'apps list' | 'apps delete' | 'apps keys create' | 'apps keys rotate' | 'apps keys revoke'
> = {
  'apps create': {
    operations: ['createApp'],
    params: ['name'],
    needs: 'admin',
    summary: 'Create an app and its first API key (the key is shown once)',
    about:
      'Prints the app id, the key id and the API key in clear. The key is shown this once: only its\n' +
      'hash and a short prefix are stored, so keep it now. The app authenticates with `API-Key: <key>`.',
    build: (args) => ({ kind: 'apps create', name: at(args, 0) }),
  },
  'apps list': {
    operations: ['listApps'],
    params: [],
    needs: 'admin',
    summary: 'List every app with its live keys (ids and prefixes, never the keys)',
    about: 'Each app is followed by its live keys: the key id (for `apps keys revoke`) and its prefix.',
    build: () => ({ kind: 'apps list' }),
  },
  'apps delete': {
    operations: ['deleteApp'],
    params: ['appId'],
    needs: 'admin',
    summary: 'Delete an app with its keys, rooms, endpoints, users and messages',
    about:
      "Through a server, the app's open sockets are closed at once on every node. Directly on Postgres\n" +
      'they are closed only when REDIS_URL (and REDIS_PREFIX) name the Redis the servers share.',
    build: (args) => ({ kind: 'apps delete', appId: at(args, 0) }),
  },
  'apps keys create': {
    operations: ['createApiKey'],
    params: ['appId'],
    needs: 'admin',
    summary: 'Add an API key to an app, for rotation (the key is shown once)',
    about: 'Several keys may be live at once: add the new key, move clients to it, then revoke the old one.',
    build: (args) => ({ kind: 'apps keys create', appId: at(args, 0) }),
  },
  'apps keys rotate': {
    operations: ['createApiKey', 'revokeApiKey'],
    params: ['appId', 'keyId'],
    needs: 'admin',
    summary: 'Replace an API key: add a new one (shown once), then revoke the old one',
    about:
      'For a key that leaked: requests with the old key fail from now on. To move clients without a gap,\n' +
      'use `apps keys create`, then `apps keys revoke` once they use the new key.',
    build: (args) => ({ kind: 'apps keys rotate', appId: at(args, 0), keyId: at(args, 1) }),
  },
  'apps keys revoke': {
    operations: ['revokeApiKey'],
    params: ['appId', 'keyId'],
    needs: 'admin',
    summary: 'Revoke an API key; requests with it fail from now on',
    about: 'The key id is the one `apps list` and `apps keys create` print (not the key itself).',
    build: (args) => ({ kind: 'apps keys revoke', appId: at(args, 0), keyId: at(args, 1) }),
  },
};

/** The database itself, no server: no REST operation behind them. */
export const databaseCommandSpecs: CommandSpecs<'migrate' | 'keys rotate-signing' | 'backup' | 'restore'> = {
  migrate: {
    operations: [],
    params: [],
    needs: 'database',
    summary: 'Run pending database migrations and exit (for servers started with MIGRATE=off)',
    about:
      'Safe beside running servers and from several machines at once: runs are serialized by a lock.\n' +
      'Tables are created in DATABASE_SCHEMA (default switchboard).',
    build: () => ({ kind: 'migrate' }),
  },
  'keys rotate-signing': {
    operations: [],
    params: [],
    needs: 'database',
    summary: 'Rotate the generated access-token signing key: a new key signs, the old one verifies for 30 days',
    about:
      'For servers without JWT_SECRET (their key is generated and kept in the database). Running nodes pick\n' +
      'the new key up by themselves (at the first token it signed, and within a minute for signing); tokens\n' +
      'signed before keep working until they expire. With JWT_SECRET, rotate by setting the old value as\n' +
      'JWT_SECRET_PREVIOUS and a new JWT_SECRET, then restart the nodes.',
    build: () => ({ kind: 'keys rotate-signing' }),
  },
  backup: {
    operations: [],
    params: ['file'],
    needs: 'database',
    summary: "Write every row of Switchboard's tables to a file (owner-only; secrets as hashes only)",
    about:
      'One consistent snapshot, readable while servers run (Postgres; an embedded folder needs its server\n' +
      'stopped). The token signing key is left out: after a restore, users sign in again; API keys and\n' +
      'endpoint codes keep working. The file is created with mode 600 and fails if it exists.',
    build: (args) => ({ kind: 'backup', file: at(args, 0) }),
  },
  restore: {
    operations: [],
    params: ['file'],
    flags: ['force'],
    needs: 'database',
    summary: 'Load a backup into an empty store (--force replaces what it holds)',
    about:
      'Migrates the database first, then loads the file in one transaction. Stop the servers first, and\n' +
      'start them again after the restore.',
    build: (args, flags) => ({ kind: 'restore', file: at(args, 0), force: flags.force === true }),
  },
};
