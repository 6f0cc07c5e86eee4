/**
 * What JSON Schema cannot say about a parsed value but Postgres and the server need: no U+0000
 * in any string or key (Postgres text and jsonb cannot hold it), no unpaired UTF-16 surrogate
 * (jsonb rejects it, and it is not valid UTF-8 on the wire), no non-finite number (`1e400`
 * parses to Infinity and would be stored as null), and a bounded nesting depth (deep values
 * exhaust recursive serializers). Checked at the edge, so such input is `validation_failed`
 * with its path, not `internal` after the database refused it.
 */

/** The deepest nesting of arrays and objects a frame or body may carry. */
export const MAX_JSON_DEPTH = 64;

/** One reason a value cannot be stored, in the shape of `validation_failed`'s `issues`. */
export interface StorableIssue {
  /** JSON Pointer to the offending value, as ajv's `instancePath`. */
  path: string;
  message: string;
}

// An unpaired high surrogate, or a low surrogate with no high one before it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain U+0000';
  if (LONE_SURROGATE.test(text)) return 'must not contain an unpaired surrogate';
  return undefined;
}

const escapeToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The first reason `value` cannot be stored, or undefined. Iterative: a deep value cannot overflow the stack. */
export function findUnstorable(value: unknown, maxDepth: number = MAX_JSON_DEPTH): StorableIssue | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const current = item.value;
    if (typeof current === 'string') {
      const problem = stringProblem(current);
      if (problem) return { path: item.path, message: problem };
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { path: item.path, message: 'must be a finite number' };
    } else if (current !== null && typeof current === 'object') {
      if (item.depth >= maxDepth) return { path: item.path, message: `must not nest deeper than ${maxDepth} levels` };
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: `${item.path}/${i}`, depth: item.depth + 1 });
      } else {
        for (const [key, child] of Object.entries(current)) {
          const path = `${item.path}/${escapeToken(key)}`;
          const problem = stringProblem(key);
          if (problem) return { path, message: `key ${problem}` };
          stack.push({ value: child, path, depth: item.depth + 1 });
        }
      }
    }
  }
  return undefined;
}
