import { SwitchboardError } from '../lib/errors.ts';

/** Postgres SQLSTATE for a unique constraint violation; PGlite reports the same code. */
const UNIQUE_VIOLATION = '23505';

/** A row would duplicate a unique key; `constraint` names which one (see the migrations). */
export class UniqueViolation extends Error {
  override readonly name = 'UniqueViolation';
  /** The violated constraint, e.g. `rooms_app_id_name_key`; undefined if the driver did not say. */
  readonly constraint: string | undefined;

  constructor(constraint: string | undefined, options?: ErrorOptions) {
    super(`duplicate value violates unique constraint ${constraint ?? '(unknown)'}`, options);
    this.constraint = constraint;
  }
}

function fieldOf(error: object, key: string): unknown {
  return key in error ? (error as Record<string, unknown>)[key] : undefined;
}

/** Runs `operation`, turning a unique violation from either driver into `UniqueViolation`. */
export async function mapUniqueViolation<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (typeof error === 'object' && error !== null && fieldOf(error, 'code') === UNIQUE_VIOLATION) {
      const constraint = fieldOf(error, 'constraint');
      throw new UniqueViolation(typeof constraint === 'string' ? constraint : undefined, { cause: error });
    }
    throw error;
  }
}

/** The error of a database that cannot be reached; the driver's error is its cause (logged, never sent). */
export function databaseUnavailable(cause: unknown): SwitchboardError {
  return new SwitchboardError('unavailable', 'The database is not available.', undefined, { cause, dependency: 'postgres' });
}

/** The driver's error behind `databaseUnavailable`, or the error itself. */
export function unavailableCause(error: unknown): unknown {
  return error instanceof SwitchboardError && error.code === 'unavailable' && error.cause !== undefined ? error.cause : error;
}
