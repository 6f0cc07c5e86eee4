/** Opens the operator for the CLI's target: a running server's REST API, or the database itself. */
import type { AppsOperator, Note } from './apps-operator.ts';
import type { Target } from './target.ts';

export type { ApiKeyCreated, AppCreated, AppList, AppsOperator, Note } from './apps-operator.ts';

/** Opens the operator for `target`. Loaded lazily so the REST path never loads the database drivers. */
export async function openOperator(target: Target, note: Note): Promise<AppsOperator> {
  if (target.kind === 'rest') {
    const { createRestOperator } = await import('./rest-operator.ts');
    return createRestOperator(target);
  }
  const { openDatabaseOperator } = await import('./database-operator.ts');
  return openDatabaseOperator(target, note);
}
