/**
 * The contract taps open in this test file, in-process and in child processes, so one afterEach
 * (contract-hooks.ts) can fail the test during which any of them saw a violation. No vitest here:
 * scripts (the soak) start tapped servers too.
 */

/** A tap whose new violations can be taken. */
export interface PendingViolations {
  /** Hands over the violations no test has failed for yet. */
  takeUnreported(): string[];
}

/** Every tap of this file that is still open. */
export const openTaps = new Set<PendingViolations>();
