/** Client message ids: what makes a send idempotent (`clientId` in the specs). */

/** 128 random bits as hex; `getRandomValues`, unlike `randomUUID`, works on pages served over plain http too. */
export function randomClientId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
