/** Which browser origins may use the server: the rule CORS on REST and the `/ws` upgrade share. */

/**
 * Whether a request from `origin` may proceed: no `Origin` (not a browser), the server's own
 * origin (its host, as the request names it), or one of `allowed` (`*` allows any).
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
