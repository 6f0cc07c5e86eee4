/**
 * Every example in the specs is valid: message payloads against their payload schema and, in
 * their envelope, against the generated frame validators; REST bodies and responses against the
 * generated REST validators; the catalog's, close codes' and upgrade refusals' against theirs;
 * and every schema's own `examples` against that schema (ajv on the bundled `$defs`).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { closeCodes, upgradeRefusals, type Validator } from '@switchboard/protocol';
import {
  endpointPayloadValidators,
  endpointServerFrameValidators,
  restBodyValidators,
  restResponseValidators,
  userPayloadValidators,
  userServerFrameValidators,
  workerPayloadValidators,
  workerServerFrameValidators,
} from '@switchboard/protocol/validators';
import { loadModel } from '../../scripts/codegen/model.ts';
import {
  catalogExamples,
  closeCodeExamples,
  messageExamples,
  operationExamples,
  responseHasBody,
  responseMediaType,
  upgradeRefusalExamples,
} from './spec-examples.ts';

type ByName = Readonly<Record<string, Validator>>;
const sockets: Readonly<Record<string, { payloads: ByName; replies: ByName; events: ByName }>> = {
  user: { payloads: userPayloadValidators, ...userServerFrameValidators },
  endpoint: { payloads: endpointPayloadValidators, ...endpointServerFrameValidators },
  worker: { payloads: workerPayloadValidators, ...workerServerFrameValidators },
};
const bodies: ByName = restBodyValidators;
const responses: Readonly<Record<string, ByName>> = restResponseValidators;

function pick(map: ByName | undefined, name: string): Validator {
  const validate = map && Object.hasOwn(map, name) ? map[name] : undefined;
  if (!validate) throw new Error(`no generated validator for ${name}`);
  return validate;
}

function expectValid(validate: Validator, value: unknown, what: string): void {
  const ok = validate(value);
  expect(ok, `${what}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

const model = await loadModel();
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema({ $id: 'defs', $defs: model.defs });
const schema = (name: string): Validator => {
  const validate = ajv.getSchema(`defs#/$defs/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
};

describe('socket message examples', () => {
  const all = messageExamples();

  it('exist for every command, reply and event of every socket', () => {
    for (const m of all) expect(m.payloads.length, `${m.channel} ${m.role} ${m.name}`).toBeGreaterThan(0);
    expect(all.length).toBe(model.channels.reduce((n, c) => n + c.actions.length * 2 + c.events.length, 0));
  });

  it.each(all.map((m) => [`${m.channel} ${m.role} ${m.name}`, m] as const))('%s: each example is valid in its envelope', (_, m) => {
    const socket = sockets[m.channel]!;
    m.payloads.forEach((payload, i) => {
      const what = `${m.channel} ${m.role} ${m.name} example ${i}`;
      if (m.role === 'command') {
        expectValid(pick(socket.payloads, m.name), payload, what);
        expectValid(schema('ClientEnvelope'), { action: m.name, id: '1', payload }, `${what} (envelope)`);
      } else if (m.role === 'reply') {
        expectValid(pick(socket.replies, m.name), { action: m.name, ref: '1', payload }, what);
      } else if (m.name === 'error') {
        expectValid(pick(socket.events, m.name), { action: 'error', ref: '1', error: payload }, what);
      } else {
        expectValid(pick(socket.events, m.name), { action: m.name, payload }, what);
      }
    });
  });
});

describe('REST examples', () => {
  const ops = operationExamples();

  it.each(ops.map((op) => [op.operationId, op] as const))('%s: its body and every response have a valid example', (_, op) => {
    if (op.hasBody) {
      expect(op.body, `${op.operationId} has no request body example`).toBeDefined();
      expectValid(pick(bodies, op.operationId), op.body, `${op.operationId} body`);
    }
    for (const [status, example] of op.responses) {
      if (!responseHasBody(op.operationId, status)) continue;
      expect(example, `${op.operationId} ${status} has no example`).toBeDefined();
      // A text body (the Prometheus exposition) has no JSON schema to validate against.
      if (responseMediaType(op.operationId, status) !== 'application/json') {
        expect(typeof example, `${op.operationId} ${status}`).toBe('string');
        continue;
      }
      expectValid(pick(responses[op.operationId], status), example, `${op.operationId} ${status}`);
    }
  });
});

describe('catalog, close code and upgrade examples', () => {
  it.each(catalogExamples())('error code %s has a valid example with its code', (code, example) => {
    expectValid(schema('ErrorObject'), example, code);
    expect(example).toMatchObject({ code });
  });

  it.each(closeCodeExamples())('close code %s has an example with its number and reason', (name, entry) => {
    expect(entry.example).toEqual({ code: entry.code, reason: entry.reason });
    expect(closeCodes[name as keyof typeof closeCodes]).toMatchObject({ code: entry.code, reason: entry.reason });
  });

  it.each(upgradeRefusalExamples())('upgrade refusal %s has a valid error body with its code and status', (code, entry) => {
    expectValid(schema('ErrorBody'), entry.example, code);
    expect(entry.example).toMatchObject({ error: { code } });
    expect(upgradeRefusals[code as keyof typeof upgradeRefusals].status).toBe(model.errorCatalog[code]!.status);
  });

  it('every schema example in the specs is valid against its schema', () => {
    const checked: string[] = [];
    for (const [name, definition] of Object.entries(model.defs)) {
      const examples = definition.examples;
      if (!Array.isArray(examples)) continue;
      examples.forEach((example, i) => expectValid(schema(name), example, `${name} example ${i}`));
      checked.push(name);
    }
    expect(checked).toEqual(expect.arrayContaining(['ClientEnvelope', 'ReplyFrame', 'EventFrame', 'ErrorFrame', 'ErrorObject']));
  });
});
