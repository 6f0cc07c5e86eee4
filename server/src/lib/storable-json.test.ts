import { describe, expect, it } from 'vitest';
import { findUnstorable, MAX_JSON_DEPTH } from './storable-json.ts';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('findUnstorable', () => {
  it('accepts ordinary JSON, astral characters and nesting up to the limit', () => {
    expect(findUnstorable({ text: 'hi 👋', data: [1, 2.5, null, true, { k: 'v' }] })).toBeUndefined();
    expect(findUnstorable(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('names the path of U+0000 in a value or a key', () => {
    expect(findUnstorable({ data: { list: ['ok', 'a\u0000b'] } })).toEqual({ path: '/data/list/1', message: 'must not contain U+0000' });
    expect(findUnstorable({ data: { 'a/b\u0000': 1 } })).toEqual({ path: '/data/a~1b\u0000', message: 'key must not contain U+0000' });
  });

  it('refuses unpaired surrogates, high or low', () => {
    expect(findUnstorable({ text: 'x\uD800' })?.path).toBe('/text');
    expect(findUnstorable({ text: '\uDC00x' })?.path).toBe('/text');
    expect(findUnstorable({ text: '\uD83D\uDC4B' })).toBeUndefined();
  });

  it('refuses non-finite numbers', () => {
    expect(findUnstorable(JSON.parse('{"n":1e400}'))).toEqual({ path: '/n', message: 'must be a finite number' });
  });

  it('refuses nesting past the limit without overflowing the stack', () => {
    expect(findUnstorable(nested(MAX_JSON_DEPTH + 1))?.message).toMatch(/nest deeper/);
    expect(findUnstorable(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))?.message).toMatch(/nest deeper/);
  });
});
