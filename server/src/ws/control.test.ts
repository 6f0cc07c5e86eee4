/** Control messages share topics with frames: telling them apart, and reading only known closes. */
import { closeCodes, type CloseReason } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { encodeClose, isControl, parseClose } from './control.ts';

describe('control messages', () => {
  it('round-trips every documented close reason', () => {
    for (const reason of Object.keys(closeCodes) as CloseReason[]) {
      const message = encodeClose(reason);
      expect(isControl(message)).toBe(true);
      expect(parseClose(message)).toBe(reason);
    }
  });

  it('never takes a frame for a control message', () => {
    expect(isControl('{"action":"message","payload":{}}')).toBe(false);
    expect(isControl('')).toBe(false);
    expect(parseClose('{"action":"close"}')).toBeUndefined();
  });

  it('ignores a control message this node does not know, rather than closing with a guessed code', () => {
    expect(parseClose('!close:not_a_reason')).toBeUndefined();
    expect(parseClose('!close:')).toBeUndefined();
    expect(parseClose('!close:toString')).toBeUndefined();
    expect(parseClose('!open:room_deleted')).toBeUndefined();
  });
});
