/**
 * Control messages travel on the same topics as frames, so they keep their order relative to
 * them (a `room.deleted` frame, then the close). A frame is JSON and starts with `{`; a control
 * message starts with `!`, so telling them apart costs one character comparison.
 */
import { closeCodes, type CloseReason } from '@switchboard/protocol';

const BANG = 33;

/** The control message that closes every member of a topic with a documented close code. */
export function encodeClose(reason: CloseReason): string {
  return `!close:${reason}`;
}

/** Whether a channel message is a control message rather than a frame. */
export function isControl(message: string): boolean {
  return message.charCodeAt(0) === BANG;
}

/** The close reason of a control message, or undefined if it is not one this node knows. */
export function parseClose(message: string): CloseReason | undefined {
  const reason = message.startsWith('!close:') ? message.slice(7) : '';
  return Object.hasOwn(closeCodes, reason) ? (reason as CloseReason) : undefined;
}

/**
 * A control message handled by the layer above the transport (`!<name>:<argument>`, e.g. the
 * eviction of a room's non-staff members); the hub hands it to the handler registered for its name.
 */
export function encodeControl(name: string, argument: string): string {
  return `!${name}:${argument}`;
}

/** The name and argument of a control message (`!close:…` included). */
export function parseControl(message: string): { name: string; argument: string } | undefined {
  const colon = message.indexOf(':');
  return colon < 2 ? undefined : { name: message.slice(1, colon), argument: message.slice(colon + 1) };
}
