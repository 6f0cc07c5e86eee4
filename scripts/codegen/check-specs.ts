/**
 * Validates both specs with their own tools: @asyncapi/parser for the socket protocol and
 * Redocly's linter (recommended rules) for REST. Generation refuses to run on a broken spec.
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

/** Runs the AsyncAPI parser; returns its errors (warnings are not failures). */
export async function checkAsyncApi(): Promise<SpecProblem[]> {
  const source = await readFile(specPaths.asyncapi, 'utf8');
  const { diagnostics } = await new Parser().parse(source, { source: specPaths.asyncapi });
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => ({ file: 'specs/asyncapi.yaml', message: d.message, where: d.path.join('.') }));
}

/** Runs Redocly's recommended ruleset; returns the problems of severity error. */
export async function checkOpenApi(): Promise<SpecProblem[]> {
  const config = await createConfig({ extends: ['recommended'], rules: { 'no-server-example.com': 'off' } });
  const problems = await lint({ ref: specPaths.openapi, config });
  return problems
    .filter((p) => p.severity === 'error')
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
