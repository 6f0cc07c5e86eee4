/**
 * Invalid inputs generated from a JSON Schema of the specs: for a valid base value built from
 * the schema, one case per broken rule (a required property missing, a wrong type, a value out
 * of range or not in the enum, a string too short or too long, too many items, a property the
 * schema does not allow), each with the JSON Pointer the server must name. Every case is checked
 * against the schema itself first, so the suite never sends an input that is in fact valid.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Schema } from '../../scripts/codegen/schema-to-ts.ts';

/** One invalid input and the path its `validation_failed` answer must name. */
export interface InvalidCase {
  /** What was broken, e.g. `room: wrong type`. */
  name: string;
  value: unknown;
  /** The JSON Pointer of the offending value, relative to the payload or body. */
  path: string;
}

type Node = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: boolean | Node;
  minProperties?: number;
  items?: Node;
  maxItems?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
};

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);

/** Builds the generator for schemas whose `$ref`s point into `defs` (`#/$defs/Name`). */
export function createInvalidInputs(defs: Record<string, Schema>) {
  const resolve = (node: Node): Node => {
    let current = node;
    for (let hops = 0; current.$ref && hops < 10; hops++) current = (defs[current.$ref.replace('#/$defs/', '')] ?? {}) as Node;
    return current;
  };
  const typesOf = (node: Node): string[] => (node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type]);
  const validator = (node: Node) => ajv.compile({ $defs: defs, ...(node as object) });
  const fits = (node: Node, value: unknown) => validator(node)(value);

  const patternSamples = ['room-1', 'a', 'abc', 'sample_1', '1', 'a.b'];

  /** A valid value of `node`, or undefined when the schema admits anything (e.g. `data`). */
  function sample(raw: Node): unknown {
    const node = resolve(raw);
    if (node.examples?.length) return node.examples[0];
    if (node.const !== undefined) return node.const;
    if (node.enum?.length) return node.enum[0];
    if (node.default !== undefined) return node.default;
    const [type] = typesOf(node);
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [key, prop] of Object.entries(node.properties ?? {})) {
          const value = sample(prop);
          out[key] = value === undefined ? { any: 'json' } : value;
        }
        return out;
      }
      case 'array':
        return Array.from({ length: node.minItems ?? 0 }, () => sample(node.items ?? {}));
      case 'integer':
      case 'number':
        return Math.min(Math.max(node.minimum ?? 1, 1), node.maximum ?? Number.MAX_SAFE_INTEGER);
      case 'boolean':
        return false;
      case 'null':
        return null;
      case 'string': {
        if (node.format === 'date-time') return new Date(0).toISOString();
        if (node.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
        const candidates = node.pattern ? patternSamples : ['x'.repeat(Math.max(node.minLength ?? 1, 1))];
        return candidates.find((c) => fits(node, c)) ?? candidates[0];
      }
      default:
        return undefined;
    }
  }

  /** A value of a type `node` does not allow, or undefined when it allows every type. */
  function wrongType(node: Node): unknown {
    const types = typesOf(node);
    if (types.length === 0) return undefined;
    const candidates: unknown[] = [12345, 'not-the-type', true, { wrong: 'type' }, ['wrong'], 1.5];
    return candidates.find((c) => !fits(node, c));
  }

  function casesAt(raw: Node, base: unknown, path: string, label: string, depth: number): InvalidCase[] {
    const node = resolve(raw);
    const out: InvalidCase[] = [];
    const add = (name: string, value: unknown) => out.push({ name: `${label || '(root)'}: ${name}`, value, path });
    const wrong = wrongType(node);
    if (wrong !== undefined) add('wrong type', wrong);
    if (node.minimum !== undefined) add(`below minimum ${node.minimum}`, node.minimum - 1);
    if (node.maximum !== undefined) add(`above maximum ${node.maximum}`, node.maximum + 1);
    if (typesOf(node).includes('string')) {
      if (node.minLength !== undefined && node.minLength > 0) add(`shorter than ${node.minLength}`, 'x'.repeat(node.minLength - 1));
      if (node.maxLength !== undefined) add(`longer than ${node.maxLength}`, 'x'.repeat(node.maxLength + 1));
      if (node.pattern !== undefined) add('not matching its pattern', 'has spaces and !?');
      if (node.format === 'date-time') add('not a date-time', 'yesterday');
    }
    if (node.enum !== undefined) add('not in the enum', 'not-one-of-them');
    if (node.maxItems !== undefined)
      add(
        `more than ${node.maxItems} items`,
        Array.from({ length: node.maxItems + 1 }, () => sample(node.items ?? {})),
      );
    if (typesOf(node).includes('object') && base && typeof base === 'object' && !Array.isArray(base) && depth < 3) {
      const object = base as Record<string, unknown>;
      for (const key of node.required ?? []) {
        const { [key]: _dropped, ...rest } = object;
        out.push({ name: `${label ? `${label}.` : ''}${key}: missing`, value: rest, path: `${path}/${key}` });
      }
      if (node.minProperties !== undefined && node.minProperties > 0 && (node.required ?? []).length === 0) {
        out.push({ name: `${label || '(root)'}: fewer than ${node.minProperties} properties`, value: {}, path });
      }
      if (node.additionalProperties === false) {
        out.push({
          name: `${label || '(root)'}: extra property`,
          value: { ...object, unexpectedExtra: 1 },
          path: `${path}/unexpectedExtra`,
        });
      }
      for (const [key, prop] of Object.entries(node.properties ?? {})) {
        for (const inner of casesAt(prop, object[key], `${path}/${key}`, label ? `${label}.${key}` : key, depth + 1)) {
          out.push({ ...inner, value: { ...object, [key]: inner.value } });
        }
      }
    }
    return out;
  }

  return {
    /** A valid value of the schema (throws when none can be built: give the schema an example). */
    base(schema: Schema): unknown {
      const value = sample(schema as Node) ?? {};
      if (!fits(schema as Node, value))
        throw new Error(`cannot build a valid sample of ${JSON.stringify(schema)}: ${JSON.stringify(validator(schema as Node).errors)}`);
      return value;
    },
    /** Every invalid case of the schema, each confirmed invalid by the schema itself. */
    cases(schema: Schema): InvalidCase[] {
      const base = this.base(schema);
      const check = validator(schema as Node);
      return casesAt(schema as Node, base, '', '', 0).filter((c) => !check(c.value));
    },
  };
}
