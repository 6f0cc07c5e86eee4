/**
 * Produces every file of `generated/src/` in memory, so `npm run generate` writes them and the
 * drift test compares them with what is committed, from one code path.
 */
import { assertSpecsValid } from './check-specs.ts';
import { loadModel } from './model.ts';
import { BANNER, emitErrors, emitRegistry, emitTypes } from './emit-ts.ts';
import { emitValidatorModule, validatorSchemas } from './emit-validators.ts';
import { FRAMES, VALIDATOR_TYPE, emitRestTypes, emitValidatorMaps } from './emit-maps.ts';
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
  files.set('openapi.ts', await emitOpenApiTypes(new Set(Object.keys(model.defs))));
  const sets = validatorSchemas(model);
  for (const [name, set] of Object.entries(sets)) {
    const { js, dts } = emitValidatorModule(model, set);
    files.set(`validators/${name}.js`, js);
    files.set(`validators/${name}.d.ts`, dts);
  }
  files.set('validator.ts', VALIDATOR_TYPE);
  files.set('frames.ts', FRAMES);
  files.set('rest.ts', emitRestTypes(model));
  files.set('validator-maps.ts', emitValidatorMaps(model));
  files.set('index.ts', INDEX);
  return files;
}

const INDEX = `${BANNER}
export type * from './types.ts';
export * from './errors.ts';
export * from './registry.ts';
export type * from './frames.ts';
export type * from './rest.ts';
export type { Validator, ValidatorError } from './validator.ts';
`;
