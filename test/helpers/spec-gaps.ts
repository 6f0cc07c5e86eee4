/**
 * Answers the server legitimately gives that the specs do not declare yet. The contract tap
 * accepts exactly these, one line each; everything else undeclared is a violation. Each line is
 * a spec change waiting to be made: declare the answer in specs/, regenerate, delete the line.
 */

/** REST answers as `operationId status`, e.g. a 400 for a body that is not JSON. */
export const restStatusGaps: ReadonlySet<string> = new Set([]);

/** Upgrade refusals as `channel status` (`none` for a path that is no socket route). */
export const upgradeRefusalGaps: ReadonlySet<string> = new Set([]);
