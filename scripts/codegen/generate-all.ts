/**
 * Produces every file of `generated/src/` in memory, so `npm run generate` writes them and the
 * drift test compares them with what is committed, from one code path.
 */
import { assertSpecsValid } from './check-specs.ts';
import { loadModel } from './model.ts';
import { BANNER, emitErrors, emitRegistry, emitTypes, pascal } from './emit-ts.ts';
import { emitValidatorModule, validatorName, validatorSchemas } from './emit-validators.ts';
import { emitOpenApiTypes } from './emit-openapi.ts';

/** Relative path under generated/src → file content. */
export type GeneratedFiles = Map<string, string>;

/** Validates the specs and renders every generated file. */
export async function generateAll(): Promise<GeneratedFiles> {
  await assertSpecsValid();
  const model = await loadModel();
  const files: GeneratedFiles = new Map();
  files.set('types.ts', emitTypes(model));
  files.set('errors.ts', emitErrors(model));
  files.set('registry.ts', emitRegistry(model));
  files.set('openapi.ts', await emitOpenApiTypes());
  const sets = validatorSchemas(model);
  for (const [name, set] of Object.entries(sets)) {
    const { js, dts } = emitValidatorModule(model, set);
    files.set(`validators/${name}.js`, js);
    files.set(`validators/${name}.d.ts`, dts);
  }
  files.set('validator.ts', VALIDATOR_TYPE);
  files.set('validator-maps.ts', emitValidatorMaps(model));
  files.set('index.ts', INDEX);
  return files;
}

const VALIDATOR_TYPE = `${BANNER}
/** One problem ajv found, as ajv reports it. */
export interface ValidatorError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** A precompiled validator: true when the data matches; otherwise \`errors\` says why. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ValidatorError[] | null;
}
`;

const INDEX = `${BANNER}
export type * from './types.ts';
export * from './errors.ts';
export * from './registry.ts';
export type { Validator, ValidatorError } from './validator.ts';
`;

function emitValidatorMaps(model: Awaited<ReturnType<typeof loadModel>>): string {
  const out = [
    BANNER,
    "import * as inbound from './validators/inbound.js';",
    "import * as outbound from './validators/outbound.js';",
    "import type { Validator } from './validator.ts';",
    '',
    "export type { Validator, ValidatorError } from './validator.ts';",
    '',
    '/** Validates the envelope of any client frame. */',
    'export const validateEnvelope: Validator = inbound.envelope;',
    '',
  ];
  for (const channel of model.channels) {
    const P = pascal(channel.id);
    out.push(`/** Payload validators of the ${channel.address} actions. */`);
    out.push(`export const ${channel.id}PayloadValidators: { readonly [action: string]: Validator | undefined } = {`);
    for (const a of channel.actions) out.push(`  ${JSON.stringify(a.name)}: inbound.${validatorName(channel.id, a.name)},`);
    out.push('};\n');
    out.push(`/** Validators of every frame the ${channel.address} socket sends: replies by action, events by name. */`);
    out.push(`export const ${channel.id}ServerFrameValidators = {`);
    out.push('  replies: {');
    for (const a of channel.actions) out.push(`    ${JSON.stringify(a.name)}: outbound.${validatorName(channel.id, 'reply', a.name)},`);
    out.push('  } as { readonly [action: string]: Validator | undefined },');
    out.push('  events: {');
    for (const e of channel.events) out.push(`    ${JSON.stringify(e.name)}: outbound.${validatorName(channel.id, 'event', e.name)},`);
    out.push('  } as { readonly [event: string]: Validator | undefined },');
    out.push('};\n');
    void P;
  }
  return out.join('\n');
}
