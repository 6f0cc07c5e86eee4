/**
 * Demo data for a first look: on the first start of an empty embedded database, an app with two
 * users (one staff), a public room and a staff-only room. Passwords and the API key are random
 * and printed once by the entry point; nothing guessable is ever seeded.
 */
import { randomBytes } from 'node:crypto';
import type { Services } from './services/index.ts';

/** What was seeded, to show the person starting the server how to sign in. */
export interface DemoSeed {
  appId: string;
  apiKey: string;
  users: { username: string; password: string; staff: boolean }[];
  rooms: string[];
}

/** Seeds the demo app when the database has no app yet; undefined when it already had one. */
export async function seedDemo(services: Services): Promise<DemoSeed | undefined> {
  if ((await services.apps.list()).length > 0) return undefined;
  const app = await services.apps.create('demo');
  const users = [
    { username: 'alice', password: randomBytes(9).toString('base64url'), staff: true },
    { username: 'bob', password: randomBytes(9).toString('base64url'), staff: false },
  ];
  for (const user of users) await services.users.create(app.id, user);
  await services.rooms.create(app.id, { name: 'lobby', title: 'Lobby' });
  await services.rooms.create(app.id, { name: 'staff', title: 'Staff only', staffOnly: true });
  return { appId: app.id, apiKey: app.apiKey, users, rooms: ['lobby', 'staff'] };
}
