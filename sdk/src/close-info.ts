import { closeCodeNames, type CloseReason } from '@switchboard/protocol';
import { SwitchboardError } from './errors.ts';
import type { CloseInfo } from './types.ts';

/** Describes a close, naming Switchboard's codes (`4003` → `token_expired`). */
export function closeInfo(code: number, reason: string): CloseInfo {
  // The names alone, not `closeCodes` with its descriptions: they would weigh on the browser bundle.
  const names: Readonly<Record<number, CloseReason>> = closeCodeNames;
  const name = Object.hasOwn(names, code) ? names[code] : undefined;
  return { code, reason, name };
}

/** 4500–4999: the server asks the client not to reconnect. */
export function isTerminalClose(code: number): boolean {
  return code >= 4500 && code <= 4999;
}

/** The error of a request made after (or pending at) the client's terminal close. */
export function closedError(reason: CloseInfo, action?: string): SwitchboardError<'unavailable'> {
  return new SwitchboardError('unavailable', `the client is closed: ${reason.reason} (${reason.code})`, { action });
}

/** What `ready()` rejects with once the client is closed for good, named after the close. */
export function terminalError(reason: CloseInfo): SwitchboardError<'unauthenticated' | 'forbidden' | 'unavailable'> {
  const code =
    reason.name === 'unauthorized' || reason.name === 'token_expired'
      ? 'unauthenticated'
      : reason.name === 'origin_refused'
        ? 'forbidden'
        : 'unavailable';
  const message = `the connection closed for good: ${reason.reason || reason.name || 'no reason given'} (${reason.code})`;
  return new SwitchboardError(code, message, { details: { closeCode: reason.code, closeName: reason.name } });
}
