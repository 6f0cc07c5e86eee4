/**
 * Answers the server legitimately gives that the specs do not declare yet. The contract tap
 * accepts exactly these, one line each; everything else undeclared is a violation. Each line is
 * a spec change waiting to be made: declare the answer in specs/, regenerate, delete the line.
 */

/** REST answers as `operationId status`, e.g. a 400 for a body that is not JSON. */
export const restStatusGaps: ReadonlySet<string> = new Set([
  // Not JSON: readBody answers bad_request on every operation with a body.
  'createApp 400',
  'createRoom 400',
  'updateRoom 400',
  'createEndpoint 400',
  'publishMessage 400',
  'createUser 400',
  'createUserToken 400',
  'notifyUser 400',
  'notifyRoom 400',
  'signIn 400',
  // Too large: the body limit applies to every route, but only publishMessage declares 413.
  'createApp 413',
  'createRoom 413',
  'updateRoom 413',
  'createEndpoint 413',
  'createUser 413',
  'createUserToken 413',
  'notifyUser 413',
  'notifyRoom 413',
  'signIn 413',
  // The database is down: sign-in answers unavailable (test/regressions/sign-in-outage.test.ts).
  'signIn 503',
]);

/** Upgrade refusals as `channel status` (`none` for a path that is no socket route). */
export const upgradeRefusalGaps: ReadonlySet<string> = new Set([
  // A missing, invalid or expired token at connect.
  'user 401',
  // An unknown or deleted endpoint code.
  'endpoint 401',
  // An upgrade on a path that is no socket route.
  'none 404',
]);
