/**
 * Turns the JSON Schema subset the specs use into TypeScript types. Component schemas become
 * named exports; a `$ref` becomes the referenced name, so types stay as readable as the spec.
 * Anything outside the subset fails generation instead of degrading to `any`.
 */

/** A JSON Schema node as read from YAML. */
export type Schema = { [key: string]: unknown };

/** Maps a `$ref` string to the TypeScript name it generates. */
export type RefNamer = (ref: string) => string;

const SUPPORTED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  '$ref',
  'oneOf',
  'anyOf',
  'allOf',
  'description',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'pattern',
  'default',
  'examples',
  'title',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'propertyNames',
]);

/** The TypeScript type of one schema, indented for nesting at `depth`. */
export function schemaToTs(schema: Schema, refName: RefNamer, depth = 0): string {
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED.has(key) && !key.startsWith('x-')) throw new Error(`schema keyword not supported by codegen: ${key}`);
  }
  if (typeof schema.$ref === 'string') return refName(schema.$ref);
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const sub = (s: unknown) => schemaToTs(s as Schema, refName, depth);
  if (Array.isArray(schema.oneOf)) return schema.oneOf.map(sub).map(wrap).join(' | ');
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map(sub).map(wrap).join(' | ');
  if (Array.isArray(schema.allOf)) return schema.allOf.map(sub).map(wrap).join(' & ');
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => schemaToTs({ ...schema, type: t }, refName, depth)).join(' | ');
  switch (type) {
    case undefined:
      return 'unknown';
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${wrap(schema.items ? sub(schema.items) : 'unknown')}[]`;
    case 'object':
      return objectToTs(schema, refName, depth);
    default:
      throw new Error(`schema type not supported by codegen: ${String(type)}`);
  }
}

function objectToTs(schema: Schema, refName: RefNamer, depth: number): string {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(props);
  const extra = schema.additionalProperties;
  if (names.length === 0) {
    if (extra === false) return 'Record<string, never>';
    if (extra && typeof extra === 'object') return `Record<string, ${schemaToTs(extra as Schema, refName, depth)}>`;
    return 'Record<string, unknown>';
  }
  const pad = '  '.repeat(depth + 1);
  const lines = names.map((name) => {
    const prop = props[name]!;
    const doc = typeof prop.description === 'string' ? `${pad}/** ${oneLine(prop.description)} */\n` : '';
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
    return `${doc}${pad}${key}${required.has(name) ? '' : '?'}: ${schemaToTs(prop, refName, depth + 1)};`;
  });
  if (extra && typeof extra === 'object') lines.push(`${pad}[key: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
}

function wrap(ts: string): string {
  return /^[\w.<>, "'[\]]+$/.test(ts) ? ts : `(${ts})`;
}

/** A description folded to one line, safe inside a JSDoc comment. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\*\//g, '* /').trim();
}
