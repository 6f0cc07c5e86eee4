/**
 * The kinds apps declare (REST), stored in `job_kinds`, and their compiled validators: compiled
 * once per declaration (name and `updated_at`) and kept in a bounded cache, so starting a job or
 * taking a result does not compile again.
 */
import type { Kysely } from 'kysely';
import type { ValidateFunction } from 'ajv';
import type { BodyOf, JobKind as WireJobKind } from '@switchboard/protocol';
import { deleteJobKind, findJobKind, listJobKinds, putJobKind, type Database, type JobKindRow } from '../db/index.ts';
import { SwitchboardError } from '../lib/errors.ts';
import { compileAppSchema, SCHEMA_SHAPE_LIMITS, type SchemaLimits } from './app-schemas.ts';

/** A declared kind, compiled. */
export interface CompiledKind {
  readonly name: string;
  readonly defaultTimeoutMs: number;
  readonly params: ValidateFunction;
  readonly result: ValidateFunction;
}

/** Limits on declarations. */
export interface AppKindLimits {
  maxKinds: number;
  maxSchemaBytes: number;
}

/** Declared kinds, for REST and for the job runtime. */
export interface AppKinds {
  put(appId: string, name: string, input: BodyOf<'putJobKind'>): Promise<WireJobKind>;
  get(appId: string, name: string): Promise<WireJobKind>;
  list(appId: string): Promise<WireJobKind[]>;
  delete(appId: string, name: string): Promise<void>;
  /** The compiled kind, or undefined when the app declared none of that name. */
  find(appId: string, name: string): Promise<CompiledKind | undefined>;
}

const CACHE_SIZE = 500;
/** The pattern of JobKindName in the OpenAPI spec (a path parameter, so not checked by the body validator). */
const KIND_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

const toWire = (row: JobKindRow): WireJobKind => ({
  name: row.name,
  paramsSchema: row.params_schema as WireJobKind['paramsSchema'],
  resultSchema: row.result_schema as WireJobKind['resultSchema'],
  concurrency: row.concurrency,
  defaultTimeoutMs: row.default_timeout_ms,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** Creates the store; `reserved` are the built-in kinds' names, which apps cannot take. */
export function createAppKinds(db: Kysely<Database>, limits: AppKindLimits, reserved: readonly string[]): AppKinds {
  const schemaLimits: SchemaLimits = { maxBytes: limits.maxSchemaBytes, ...SCHEMA_SHAPE_LIMITS };
  const cache = new Map<string, CompiledKind>();
  const notFound = (name: string) => new SwitchboardError('not_found', `No job kind ${name}.`);

  const compiled = (appId: string, row: JobKindRow): CompiledKind => {
    // The app id is part of the key: two apps' kinds of one name never share validators.
    const key = `${appId}\u0000${row.name}\u0000${new Date(row.updated_at).getTime()}`;
    let kind = cache.get(key);
    if (kind) {
      cache.delete(key);
      cache.set(key, kind);
      return kind;
    }
    kind = {
      name: row.name,
      defaultTimeoutMs: row.default_timeout_ms,
      params: compileAppSchema(row.params_schema, schemaLimits, '/paramsSchema'),
      result: compileAppSchema(row.result_schema, schemaLimits, '/resultSchema'),
    };
    cache.set(key, kind);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return kind;
  };

  return {
    async put(appId, name, input) {
      if (!KIND_NAME.test(name)) {
        throw new SwitchboardError('validation_failed', undefined, {
          issues: [{ path: '/kind', message: `must match ${KIND_NAME.source}` }],
        });
      }
      if (reserved.includes(name)) throw new SwitchboardError('conflict', `${name} is a built-in job kind.`);
      const values = {
        paramsSchema: input.paramsSchema ?? {},
        resultSchema: input.resultSchema ?? {},
        concurrency: input.concurrency ?? 1,
        defaultTimeoutMs: input.defaultTimeoutMs ?? 60_000,
      };
      // Refused before it is stored: a kind in the table always compiles.
      compileAppSchema(values.paramsSchema, schemaLimits, '/paramsSchema');
      compileAppSchema(values.resultSchema, schemaLimits, '/resultSchema');
      const row = await putJobKind(db, appId, name, values, limits.maxKinds);
      if ('refused' in row)
        throw new SwitchboardError('busy', `Your app already declares ${row.limit} job kinds.`, { scope: 'kinds', limit: row.limit });
      return toWire(row);
    },
    async get(appId, name) {
      const row = await findJobKind(db, appId, name);
      if (!row) throw notFound(name);
      return toWire(row);
    },
    async list(appId) {
      return (await listJobKinds(db, appId)).map(toWire);
    },
    async delete(appId, name) {
      if (!(await deleteJobKind(db, appId, name))) throw notFound(name);
    },
    async find(appId, name) {
      const row = await findJobKind(db, appId, name);
      return row ? compiled(appId, row) : undefined;
    },
  };
}
