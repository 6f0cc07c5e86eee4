/** Emits openapi-typescript's `paths`/`components` types for REST, consumed by openapi-fetch. */
import openapiTS, { astToString } from 'openapi-typescript';
import { pathToFileURL } from 'node:url';
import { specPaths } from './paths.ts';
import { BANNER } from './emit-ts.ts';

/** `openapi.ts`, as openapi-typescript writes it. */
export async function emitOpenApiTypes(): Promise<string> {
  const ast = await openapiTS(pathToFileURL(specPaths.openapi), { exportType: false, alphabetize: false, defaultNonNullable: false });
  return `${BANNER}${astToString(ast)}`;
}
