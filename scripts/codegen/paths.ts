/** Where the specs and the generated package live, resolved from this file. */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The repository root, ending with a slash. */
export const repoRoot = root;

/** Absolute paths of the three spec files. */
export const specPaths = {
  asyncapi: `${root}specs/asyncapi.yaml`,
  openapi: `${root}specs/openapi.yaml`,
  common: `${root}specs/common.yaml`,
} as const;

/** The folder codegen writes into; nothing else writes there. */
export const generatedDir = `${root}generated/src/`;
