/**
 * The server's inspect hooks as `node:diagnostics_channel` channels, for an observer in the same
 * process that cannot pass `inspect` to `startServer`: a module preloaded with `node --import`
 * into a server started as `npm start` starts it (the test suite's contract tap in a child
 * process). Only code already running in the process can subscribe, and the channels are used
 * only when one had a subscriber when the server started: otherwise nothing is published and no
 * frame is kept as text, so an unobserved server pays nothing.
 */
import { channel } from 'node:diagnostics_channel';

/** The channel names, one per hook; each message is an object with the hook's arguments by name. */
export const inspectChannels = {
  /** `{ route, frame }`: a frame a socket route sends. */
  frame: 'switchboard:frame',
  /** `{ route, code, reason }`: a close the server sends. */
  close: 'switchboard:close',
  /** `{ path, status, body }`: an upgrade refused before the handshake. */
  refusal: 'switchboard:refusal',
  /** `{ method, path, status, body }`: a REST response. */
  response: 'switchboard:response',
} as const;

/** The hooks publishing on `inspectChannels`, or undefined when no channel has a subscriber now. */
export function channelInspector():
  | {
      frame(route: string, frame: string): void;
      close(route: string, code: number, reason: string): void;
      refusal(path: string, status: number, body: string): void;
      response(method: string, path: string, status: number, body: string): void;
    }
  | undefined {
  const frames = channel(inspectChannels.frame);
  const closes = channel(inspectChannels.close);
  const refusals = channel(inspectChannels.refusal);
  const responses = channel(inspectChannels.response);
  if (![frames, closes, refusals, responses].some((c) => c.hasSubscribers)) return undefined;
  return {
    frame: (route, frame) => frames.publish({ route, frame }),
    close: (route, code, reason) => closes.publish({ route, code, reason }),
    refusal: (path, status, body) => refusals.publish({ path, status, body }),
    response: (method, path, status, body) => responses.publish({ method, path, status, body }),
  };
}
