/**
 * Which backends a run tests. Every server suite runs on each selected backend; `TEST_BACKENDS`
 * (comma-separated) narrows the run to some of them while working on one, e.g.
 * `TEST_BACKENDS=embedded npm test`. Unset, a run tests all of them, as CI does.
 */

/** Every backend a server suite can run on: embedded defaults, or real Postgres and Redis. */
export const allBackends = ['embedded', 'postgres+redis'] as const;

/** Embedded defaults, or real Postgres and Redis. */
export type Backend = (typeof allBackends)[number];

/** An engine a database suite runs on. */
export type TestDatabaseKind = 'pglite' | 'postgres';

/** The database engine behind a backend. */
export function kindOf(backend: Backend): TestDatabaseKind {
  return backend === 'embedded' ? 'pglite' : 'postgres';
}

/** Reads a `TEST_BACKENDS` value; unset or empty means every backend. */
export function parseBackends(value: string | undefined): readonly Backend[] {
  if (value === undefined || value.trim() === '') return allBackends;
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(allBackends as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`TEST_BACKENDS names ${JSON.stringify(unknown)}; use a comma-separated list of ${allBackends.join(', ')}`);
  }
  return allBackends.filter((backend) => names.includes(backend));
}

/** The backends this run tests. */
export const selectedBackends: readonly Backend[] = parseBackends(process.env.TEST_BACKENDS);

/** The engines the database suites run on: PGlite for `embedded`, Postgres for `postgres+redis`. */
export const databaseKinds: readonly TestDatabaseKind[] = selectedBackends.map(kindOf);
