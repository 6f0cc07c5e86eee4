// The storage layer's public surface: services import from here, never from SQL-bearing internals.
export * from './app.repository.ts';
export * from './create-database.ts';
export * from './endpoint.repository.ts';
export * from './errors.ts';
export * from './job.repository.ts';
export * from './message.repository.ts';
export * from './migrate.ts';
export * from './room.repository.ts';
export * from './user.repository.ts';
export type * from './schema.ts';
export { createPGliteDialect } from './pglite-dialect.ts';
export type { PGliteDialectOptions } from './pglite-dialect.ts';
export * from './job-kind.repository.ts';
export * from './job-worker.repository.ts';
