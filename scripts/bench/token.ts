/**
 * The credentials of the hand-written peers (raw `ws`, Socket.IO): an HMAC over the room and the
 * role, checked on every connect, so those peers pay for authentication as Switchboard does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a socket may do in its room. */
export type Role = 'read' | 'write';

/** Signs a room and role with the run's secret. */
export function signToken(secret: string, room: string, role: Role): string {
  return createHmac('sha256', secret).update(`${room}\n${role}`).digest('base64url');
}

/** Whether `token` was signed for this room and role. */
export function verifyToken(secret: string, room: string, role: Role, token: string): boolean {
  const expected = Buffer.from(signToken(secret, room, role));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Narrows a string to a role. */
export function isRole(value: unknown): value is Role {
  return value === 'read' || value === 'write';
}
