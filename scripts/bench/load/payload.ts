/**
 * The broadcast payload and its cheap reading. A reader never parses a frame: it finds the
 * send timestamp by its marker and reads the digits in place, so the generator's CPU (shared
 * with the server under test) goes to sockets, not JSON.
 */

/** About this many bytes of JSON per message by default (the main body of every phase). */
export const PAYLOAD_BYTES = 100;

const MARKER = Buffer.from('"sent":');
const SKELETON = '{"sent":10000000000,"pad":""}';
// One padding string per body size, made once: a publish allocates only its template string.
const pads = new Map<number, string>();
const padOf = (bytes: number): string => {
  let pad = pads.get(bytes);
  if (pad === undefined) {
    pad = 'x'.repeat(Math.max(0, bytes - SKELETON.length));
    pads.set(bytes, pad);
  }
  return pad;
};

/** Microseconds on this process's monotonic clock; publishers and readers share it. */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

/** The JSON a publisher sends: its send time and padding to about `bytes` bytes. */
export function payloadJson(sentUs: number, bytes = PAYLOAD_BYTES): string {
  return `{"sent":${sentUs},"pad":"${padOf(bytes)}"}`;
}

/** The send time carried by a frame, or -1 when the frame carries none (greetings, pings). */
export function readSent(frame: Buffer): number {
  const at = frame.indexOf(MARKER);
  if (at < 0) return -1;
  let value = 0;
  for (let i = at + MARKER.length; i < frame.length; i++) {
    const digit = (frame[i] ?? 0) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}
