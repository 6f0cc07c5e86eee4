/**
 * The communication server's endpoint frame, accepted as it is (specs/asyncapi.yaml,
 * `communicationServerMessage`): `{"message": <any JSON>}` with no `action` becomes
 * `message.send` with that JSON as `data`, then goes through the endpoint dispatcher like any
 * frame (size, rate limit, permission, payload checks). Everything else passes untouched.
 */
import type { Dispatch } from '../ws/dispatcher.ts';

// Cheap test before any parse: only a frame that starts with a `message` key can be one.
const LEGACY_FRAME = /^\s*\{\s*"message"\s*:/;

/** Wraps an endpoint dispatcher so that it also takes the communication server's frames. */
export function acceptCommunicationServerFrames<C>(dispatch: Dispatch<C>, maxFrameBytes: number): Dispatch<C> {
  // The refusal (over the rate, inbox full) decided on arrival must reach the dispatcher unchanged.
  return (peer, context, text, refusal) => dispatch(peer, context, translate(text, maxFrameBytes), refusal);
}

/** The envelope form of a communication-server frame, or the text unchanged. */
export function translate(text: string, maxFrameBytes: number): string {
  // An oversized frame is left to the dispatcher, which answers it `frame_too_large` unparsed.
  if (text.length > maxFrameBytes || !LEGACY_FRAME.test(text)) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'message') return text;
  return JSON.stringify({ action: 'message.send', payload: { data: (value as { message: unknown }).message } });
}
