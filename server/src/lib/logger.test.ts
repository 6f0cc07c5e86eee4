import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, safeError } from './logger.ts';

function capture() {
  let text = '';
  const log = createLogger({
    level: 'trace',
    destination: new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) }),
  });
  return { log, lines: () => text };
}

describe('the logger', () => {
  it('drops what a database error carries about the data: params, detail, where, quoted values', () => {
    const error = Object.assign(new Error('invalid input syntax for type uuid: "secret-body"'), {
      severity: 'ERROR',
      code: '22P02',
      params: ['secret-body', 42],
      detail: 'Key (name)=(secret-body) already exists.',
      where: 'secret-body',
      query: 'select $1::uuid',
    });
    const { log, lines } = capture();
    log.error({ err: new Error('outer', { cause: error }) }, 'failed');
    expect(lines()).not.toContain('secret-body');
    expect(lines()).toContain('22P02');
    expect(lines()).toContain('select $1::uuid');
  });

  it("drops a Redis command's arguments but keeps its name", () => {
    const error = Object.assign(new Error('ERR wrong number of arguments'), { command: { name: 'hset', args: ['k', 'secret-body'] } });
    expect(JSON.stringify(safeError(error))).not.toContain('secret-body');
    expect(safeError(error)).toMatchObject({ command: 'hset' });
  });

  it('censors credential fields and payloads logged by mistake', () => {
    const { log, lines } = capture();
    log.info({ payload: { text: 'secret-body' }, user: { token: 'secret-token', password: 'pw-secret' }, params: ['secret-body'] }, 'oops');
    expect(lines()).not.toMatch(/secret-body|secret-token|pw-secret/);
  });

  it('follows causes and aggregate members, and never serializes a thrown non-error', () => {
    const deep = new AggregateError([Object.assign(new Error('a'), { params: ['secret-body'] })], 'many');
    expect(JSON.stringify(safeError(new Error('top', { cause: deep })))).not.toContain('secret-body');
    expect(safeError({ secret: 'secret-body' })).toBe('[thrown object]');
  });
});
