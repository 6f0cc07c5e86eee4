/**
 * The JSON Schemas apps declare for their kinds, compiled with ajv at run time. Each schema gets
 * its own ajv instance, so an app's `$id` can never resolve to another app's schema; remote
 * `$ref`s are never fetched (no `loadSchema`). Limits keep a hostile schema cheap: its size, its
 * nesting, and the length of each regular expression in it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { SwitchboardError, validationIssues } from '../lib/errors.ts';

/** Limits on a declared schema. */
export interface SchemaLimits {
  maxBytes: number;
  maxDepth: number;
  maxPatternLength: number;
}

/** The default limits besides the size (which comes from `JOB_MAX_SCHEMA_BYTES`). */
export const SCHEMA_SHAPE_LIMITS = { maxDepth: 16, maxPatternLength: 256 } as const;

/** Why a schema is refused, as `validation_failed` issues under `path`, or null when it is acceptable. */
function shapeProblem(schema: unknown, limits: SchemaLimits, path: string): { path: string; message: string } | null {
  const bytes = Buffer.byteLength(JSON.stringify(schema) ?? '');
  if (bytes > limits.maxBytes) return { path, message: `must be at most ${limits.maxBytes} bytes of JSON` };
  const walk = (node: unknown, at: string, depth: number): { path: string; message: string } | null => {
    if (depth > limits.maxDepth) return { path: at, message: `must nest at most ${limits.maxDepth} levels` };
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const problem = walk(node[i], `${at}/${i}`, depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    if (node === null || typeof node !== 'object') return null;
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key === 'pattern' && typeof value === 'string' && value.length > limits.maxPatternLength)
        return { path: here, message: `must be at most ${limits.maxPatternLength} characters` };
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#'))
        return { path: here, message: 'must be a local reference (#...); remote schemas are not fetched' };
      const problem = walk(value, here, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(schema, path, 0);
}

/** Compiles a declared schema; throws `validation_failed` with the path (`/paramsSchema/...`) when it is refused. */
export function compileAppSchema(schema: unknown, limits: SchemaLimits, path: string): ValidateFunction {
  const problem = shapeProblem(schema, limits, path);
  if (problem) throw new SwitchboardError('validation_failed', undefined, { issues: [problem] });
  // strict off: apps write schemas for their own tools, with keywords ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  try {
    return ajv.compile(schema as object);
  } catch (err) {
    const message = err instanceof Error ? err.message.slice(0, 300) : 'is not a valid JSON Schema';
    throw new SwitchboardError('validation_failed', undefined, { issues: [{ path, message }] });
  }
}

/** Checks a value against a compiled schema; throws `validation_failed` with paths under `prefix`. */
export function checkAgainst(validate: ValidateFunction, value: unknown, prefix: string): void {
  if (validate(value)) return;
  const issues = validationIssues(validate.errors).map((issue) => ({ ...issue, path: `${prefix}${issue.path}` }));
  throw new SwitchboardError('validation_failed', undefined, { issues });
}
