/** The origin systems' example frames, read from specs/asyncapi.yaml so the tests send exactly what the spec shows. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Spec {
  components: { messages: Record<string, { examples?: { payload: Record<string, unknown> }[] }> };
}

const spec = parse(readFileSync(new URL('../../specs/asyncapi.yaml', import.meta.url), 'utf8')) as Spec;

/** The example payloads of one message of the AsyncAPI spec's components. */
export function compatExamples(message: string): Record<string, unknown>[] {
  const found = spec.components.messages[message];
  if (!found?.examples) throw new Error(`no examples for ${message} in specs/asyncapi.yaml`);
  return found.examples.map((example) => example.payload);
}
