/**
 * Validates both specs with their own tools: @asyncapi/parser for the socket protocol and
 * Redocly's linter for REST (recommended rules, plus descriptions on every operation and
 * examples checked strictly against their schemas). Errors and warnings both count: generation
 * refuses to run on a spec the tools complain about.
 */
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { createConfig, lint } from '@redocly/openapi-core';
import { specPaths } from './paths.ts';

/** A problem one of the spec tools reported, located in its file. */
export interface SpecProblem {
  file: string;
  message: string;
  where: string;
}

/** Runs the AsyncAPI parser; returns its errors and warnings (hints and information are not problems). */
export async function checkAsyncApi(): Promise<SpecProblem[]> {
  const source = await readFile(specPaths.asyncapi, 'utf8');
  const { diagnostics } = await new Parser().parse(source, { source: specPaths.asyncapi });
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
    .map((d) => ({ file: 'specs/asyncapi.yaml', message: `${d.code}: ${d.message}`, where: d.path.join('.') }));
}

/**
 * Findings that are right for this API. The probes take no input and no credentials, so there
 * is no 4xx they could answer; declaring one to please the rule would be a lie in the spec.
 */
const ACCEPTED: readonly { ruleId: string; pointer: string }[] = [
  { ruleId: 'operation-4xx-response', pointer: '#/paths/~1healthz/get/responses' },
  { ruleId: 'operation-4xx-response', pointer: '#/paths/~1readyz/get/responses' },
];

/** Runs Redocly's recommended ruleset with descriptions and strict examples; returns errors and warnings. */
export async function checkOpenApi(): Promise<SpecProblem[]> {
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      'no-server-example.com': 'off',
      'operation-description': 'error',
      'no-invalid-media-type-examples': { severity: 'error', allowAdditionalProperties: false },
      'no-invalid-parameter-examples': 'error',
      'no-invalid-schema-examples': 'error',
    },
  });
  const problems = await lint({ ref: specPaths.openapi, config });
  return problems
    .filter((p) => p.severity === 'error' || p.severity === 'warn')
    .filter((p) => !ACCEPTED.some((a) => a.ruleId === p.ruleId && p.location.some((l) => l.pointer === a.pointer)))
    .map((p) => ({
      file: 'specs/openapi.yaml',
      message: `${p.ruleId}: ${p.message}`,
      where: p.location.map((l) => l.pointer ?? '').join(', '),
    }));
}

/** Both checks; throws one error listing every problem when any spec is invalid. */
export async function assertSpecsValid(): Promise<void> {
  const problems = [...(await checkAsyncApi()), ...(await checkOpenApi())];
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.file} ${p.where}: ${p.message}`);
    throw new Error(`The specs are invalid:\n${lines.join('\n')}`);
  }
}
