/**
 * The fuzzer's inputs, from the specs: for every action and every REST body, the invalid cases
 * of test/helpers/invalid-inputs.ts, plus random mutations of a valid base (a field dropped,
 * added or replaced by a random value, huge strings, deep nesting, NUL and lone surrogates), bad
 * envelopes, binary frames and bytes that are not UTF-8. Seeded, so a failure can be replayed
 * with `FUZZ_SEED`.
 */
import type { Schema } from '../../scripts/codegen/schema-to-ts.ts';
import { createInvalidInputs } from '../helpers/invalid-inputs.ts';

/** A small fast PRNG (mulberry32), so a seed replays a run. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

export type Random = ReturnType<typeof createRandom>;

/** What one fuzz input is sent as. */
export type FuzzFrame =
  { kind: 'text'; text: string; id: string | undefined; what: string } | { kind: 'binary'; bytes: Buffer; what: string };

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Builds the fuzzer over the model's schemas; `bodies` receives every random string it invents (the log scan looks for them). */
export function createFuzzer(
  defs: Record<string, Schema>,
  random: Random,
  options: { maxFrameBytes: number; bodies: (s: string) => void },
) {
  const inputs = createInvalidInputs(defs);
  const { int, pick, next } = random;

  /** A random string that stands for message content. */
  function body(): string {
    let s = 'fz';
    for (let i = 0, n = 10 + int(20); i < n; i++) s += ALPHABET[int(ALPHABET.length)];
    options.bodies(s);
    return s;
  }

  /** Nested arrays or objects `depth` deep, as JSON text. */
  const nested = (depth: number) =>
    next() < 0.5 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  /** A random JSON value, as text: any type, NUL, lone surrogates, huge strings, deep nesting. */
  function value(depth = 0): string {
    switch (int(depth > 2 ? 9 : 12)) {
      case 0:
        return JSON.stringify(body());
      case 1:
        return pick(['0', '-1', '1e308', '-0', '3.5', '9007199254740993', 'true', 'false', 'null']);
      case 2:
        return `"${pick(['\\u0000', 'a\\u0000b', '\\ud800', 'x\\udfff', '\\ud83d\\ude00', '\\u202e', '', ' '])}${body()}"`;
      case 3:
        return JSON.stringify('x'.repeat(pick([101, 1_000, 10_000, Math.floor(options.maxFrameBytes * 0.9)])));
      case 4:
        return nested(pick([64, 500, 5_000, Math.floor(options.maxFrameBytes / 3)]));
      case 5:
        return JSON.stringify(pick(['room-1', 'lobby', '../../etc', '%00', 'a'.repeat(65), 'Ünïcødé', '<script>']));
      case 6:
        return '[]';
      case 7:
        return '{}';
      case 8:
        return JSON.stringify(int(2 ** 31));
      default:
        return `{"${body()}":${value(depth + 1)},"n":${value(depth + 1)}}`;
    }
  }

  /** Random mutations of a valid base object, as JSON text of the whole value. */
  function mutate(base: unknown): string {
    if (!base || typeof base !== 'object' || Array.isArray(base)) return value();
    const entries = Object.entries(base as Record<string, unknown>).map(([k, v]) => [k, JSON.stringify(v)] as [string, string]);
    switch (int(4)) {
      case 0:
        if (entries.length > 0) entries.splice(int(entries.length), 1);
        break;
      case 1:
        entries.push([pick(['extra', '__proto__', 'constructor', body()]), value()]);
        break;
      default:
        if (entries.length > 0) entries[int(entries.length)]![1] = value();
        else entries.push(['x', value()]);
    }
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  }

  let counter = 0;
  const casesByAction = new Map<string, { base: unknown; cases: unknown[] }>();
  function casesOf(key: string, schema: Schema) {
    let found = casesByAction.get(key);
    if (!found) casesByAction.set(key, (found = { base: inputs.base(schema), cases: inputs.cases(schema).map((c) => c.value) }));
    return found;
  }

  return {
    body,
    value,
    /** One body for a REST operation (JSON text, or bytes that are not), from its schema. */
    restBody(operationId: string, schema: Schema | undefined): { body: string | Buffer; what: string } {
      const { base, cases } = schema ? casesOf(`rest:${operationId}`, schema) : { base: {}, cases: [] as unknown[] };
      const roll = int(10);
      if (roll < 3 && cases.length > 0) return { body: JSON.stringify(pick(cases)), what: 'invalid case' };
      if (roll < 7) return { body: mutate(base), what: 'mutated' };
      if (roll === 7) return { body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), what: 'not UTF-8' };
      if (roll === 8) return { body: pick(['', '{', 'null', '[1,2]', '"text"', 'nope', '{"a":1}{']), what: 'not an object' };
      return { body: value(), what: 'random value' };
    },
    /** One frame for `action` of a socket whose actions are `names`. */
    frame(channel: string, action: { name: string; input: Schema }, names: readonly string[]): FuzzFrame {
      const id = `fz${++counter}`;
      const { base, cases } = casesOf(`${channel}:${action.name}`, action.input);
      const envelope = (payload: string, name = JSON.stringify(action.name)) => `{"action":${name},"id":"${id}","payload":${payload}}`;
      const roll = int(20);
      if (roll < 6 && cases.length > 0) return { kind: 'text', text: envelope(JSON.stringify(pick(cases))), id, what: 'invalid case' };
      if (roll < 12) return { kind: 'text', text: envelope(mutate(base)), id, what: 'mutated payload' };
      if (roll < 14) return { kind: 'text', text: envelope(value()), id, what: 'random payload' };
      if (roll === 14)
        return { kind: 'binary', bytes: Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), what: 'binary frame' };
      if (roll === 15) {
        const over = 'x'.repeat(options.maxFrameBytes + 1 + int(1_000));
        return { kind: 'text', text: envelope(JSON.stringify(over)), id: undefined, what: 'over the frame limit' };
      }
      // Bad envelopes: some carry a readable id (answered with it as ref), some do not.
      const envelopes: [string, boolean][] = [
        ['not json at all', false],
        ['{', false],
        ['[]', false],
        ['null', false],
        ['12', false],
        ['""', false],
        [`{"id":"${id}"}`, true],
        [`{"action":12,"id":"${id}"}`, true],
        [`{"action":"${body()}","id":"${id}"}`, true],
        [`{"action":${JSON.stringify(pick(names))},"id":{"nested":true}}`, false],
        [`{"action":${JSON.stringify(action.name)},"id":"${id}","payload":${value()},"extra":1}`, true],
        [`{"action":"\\u0000","id":"${id}"}`, true],
        [`{"action":${JSON.stringify(action.name)},"id":"${'i'.repeat(500)}${id}"}`, false],
        [nested(pick([100, 10_000])), false],
      ];
      const [text, readable] = pick(envelopes);
      return { kind: 'text', text, id: readable ? id : undefined, what: 'bad envelope' };
    },
  };
}
