/**
 * Emits openapi-typescript's `paths`/`operations` types for REST, consumed by openapi-fetch. Each
 * `components.schemas` entry is an alias of the type `types.ts` already emits for that schema,
 * so one schema has one TypeScript type whichever file it is reached through.
 */
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { pathToFileURL } from 'node:url';
import { specPaths } from './paths.ts';
import { BANNER } from './emit-ts.ts';

const COMPONENT = /^#\/components\/schemas\/([^/]+)$/;

/** `openapi.ts`, as openapi-typescript writes it, with component schemas aliased to `types.ts`. */
export async function emitOpenApiTypes(names: ReadonlySet<string>): Promise<string> {
  const ast = await openapiTS(pathToFileURL(specPaths.openapi), {
    exportType: false,
    alphabetize: false,
    defaultNonNullable: false,
    transform(_schema, options) {
      const name = COMPONENT.exec(options.path ?? '')?.[1];
      if (!name) return undefined;
      if (!names.has(name)) throw new Error(`openapi.yaml: component schema ${name} has no generated type`);
      return ts.factory.createTypeReferenceNode(ts.factory.createQualifiedName(ts.factory.createIdentifier('T'), name));
    },
  });
  return `${BANNER}import type * as T from './types.ts';\n\n${astToString(ast)}`;
}
