/**
 * A database error logged through the server's logger keeps what names the failure (its type,
 * SQLSTATE code, the bound SQL text) and never the values of the query: on PGlite the driver's
 * error carries `params`, on either engine the message may quote the value it refused.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createLogger } from '@switchboard/server';
import { createTestDatabase, databaseKinds } from '../helpers/databases.ts';

describe.each(databaseKinds)('database errors in logs on %s', (kind) => {
  it('logs the code and the bound query, never a parameter', async () => {
    await using database = await createTestDatabase(kind);
    let logs = '';
    const log = createLogger({
      level: 'info',
      destination: new Writable({ write: (chunk, _e, done) => ((logs += String(chunk)), done()) }),
    });
    const content = 'the-message-body-nobody-may-log';
    const failure = await sql`select ${content}::uuid as id`.execute(database.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    // The driver's error does carry the value: without the serializer it would be logged.
    expect(JSON.stringify({ ...(failure as object), message: (failure as Error).message })).toContain(content);
    log.error({ err: new Error('wrapped', { cause: failure }) }, 'request failed');
    expect(logs).not.toContain(content);
    const line = JSON.parse(logs) as { err: { cause: { code: string; message: string } } };
    expect(line.err.cause.code).toBe('22P02');
    expect(line.err.cause.message).toContain('uuid');
  });
});
