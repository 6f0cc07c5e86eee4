/**
 * The dispatcher's ordered checks against a fake connection: no server, database or socket.
 * size → JSON → envelope → unknown action → rate → auth → payload validation → handler; an
 * error code the action does not declare becomes `internal`.
 */
import { describe, expect, it } from 'vitest';
import type { ActionInfo, Validator, ValidatorError } from '@switchboard/protocol';
import { SwitchboardError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { createDispatcher, type DispatchPeer, type FrameRefusal, type Handlers } from './dispatcher.ts';

type Common = 'validation_failed' | 'rate_limited' | 'internal' | 'unavailable';

interface TestActions {
  hello: { input: Record<string, never>; output: { hi: true }; errors: Common };
  shout: { input: { text: string }; output: { text: string }; errors: Common | 'unauthenticated' | 'forbidden' };
  fail: { input: { code: 'forbidden' | 'conflict' | 'plain' }; output: never; errors: Common | 'unauthenticated' | 'forbidden' };
}

interface TestContext {
  signedIn: boolean;
  calls: string[];
}

const actions = {
  hello: { public: true, errors: [] },
  shout: { public: false, errors: ['unauthenticated', 'forbidden'] },
  fail: { public: false, errors: ['unauthenticated', 'forbidden'] },
} as const satisfies { readonly [A in keyof TestActions]: ActionInfo };

/** A validator in the generated shape: true or false, with `errors` saying why. */
function validator(check: (data: Record<string, unknown>) => ValidatorError | undefined): Validator {
  const validate: Validator = (data): data is unknown => {
    const problem =
      typeof data === 'object' && data !== null && !Array.isArray(data)
        ? check(data as Record<string, unknown>)
        : { instancePath: '', keyword: 'type', message: 'must be object', params: {} };
    validate.errors = problem ? [problem] : null;
    return problem === undefined;
  };
  return validate;
}

const validators = {
  hello: validator(() => undefined),
  shout: validator((data) =>
    typeof data.text === 'string'
      ? undefined
      : { instancePath: '', keyword: 'required', message: 'must have required property', params: { missingProperty: 'text' } },
  ),
  fail: validator((data) =>
    typeof data.code === 'string' ? undefined : { instancePath: '/code', keyword: 'type', message: 'must be string', params: {} },
  ),
};

const handlers = {
  hello: (_input, ctx) => (ctx.calls.push('hello'), { hi: true as const }),
  shout: ({ text }, ctx) => (ctx.calls.push('shout'), { text: text.toUpperCase() }),
  fail: ({ code }, ctx) => {
    ctx.calls.push('fail');
    if (code === 'plain') throw new Error('a bug');
    throw new SwitchboardError(code);
  },
} satisfies Handlers<TestActions, TestContext>;

const MAX_FRAME_BYTES = 256;

const dispatch = createDispatcher<TestActions, TestContext>({
  maxFrameBytes: MAX_FRAME_BYTES,
  actions,
  validators,
  commonErrors: ['validation_failed', 'rate_limited', 'internal', 'unavailable'],
  handlers,
  authenticated: (ctx) => ctx.signedIn,
});

/** A connection that records what it was sent and how many frames it was told were malformed. */
function fakePeer() {
  const sent: unknown[] = [];
  const order: string[] = [];
  const malformed = { count: 0 };
  const peer: DispatchPeer = {
    send: (frame) => (sent.push(JSON.parse(frame)), order.push('send'), true),
    malformed: () => void malformed.count++,
    flushAfterReply: () => void order.push('flush'),
    log: createLogger({ level: 'silent' }),
  };
  return { peer, sent, order, malformed };
}

async function run(text: string, options: { signedIn?: boolean; refusal?: FrameRefusal } = {}) {
  const { peer, sent, order, malformed } = fakePeer();
  const ctx: TestContext = { signedIn: options.signedIn ?? true, calls: [] };
  await dispatch(peer, ctx, text, options.refusal);
  expect(sent).toHaveLength(1);
  return {
    answer: sent[0] as { action: string; ref?: unknown; payload?: unknown; error?: { code: string; details?: unknown } },
    calls: ctx.calls,
    order,
    malformed: malformed.count,
  };
}

const frame = (value: unknown) => JSON.stringify(value);

describe('dispatcher', () => {
  it('answers a frame over the size limit with frame_too_large, before parsing it, keeping a readable id', async () => {
    const { answer } = await run(`{"id":"big","action":"hello","payload":{"pad":"${'x'.repeat(MAX_FRAME_BYTES)}"`);
    expect(answer).toEqual({
      action: 'error',
      ref: 'big',
      error: expect.objectContaining({ code: 'frame_too_large', details: { maxBytes: MAX_FRAME_BYTES } }),
    });
  });

  it('answers text that is not JSON with bad_request and no ref', async () => {
    const { answer } = await run('{"id":"1", not json');
    expect(answer).toMatchObject({ action: 'error', error: { code: 'bad_request' } });
    expect(answer.ref).toBeUndefined();
  });

  it('answers JSON that is not an envelope with bad_request, with the id when usable', async () => {
    const { answer } = await run(frame({ id: 'e1', payload: {} }));
    expect(answer).toMatchObject({ action: 'error', ref: 'e1', error: { code: 'bad_request', details: { issues: expect.any(Array) } } });
  });

  it('answers an unknown action with unknown_action and counts it as malformed, even when refused on arrival', async () => {
    const { answer, malformed } = await run(frame({ action: 'nope', id: 2 }), {
      refusal: { code: 'rate_limited', retryAfterMs: 10 },
      signedIn: false,
    });
    expect(answer).toMatchObject({ action: 'error', ref: 2, error: { code: 'unknown_action' } });
    expect(malformed).toBe(1);
  });

  it('counts every malformed frame, and never a well-formed command', async () => {
    expect((await run('{"id":"1", not json')).malformed).toBe(1);
    expect((await run(frame({ id: 'e1', payload: {} }))).malformed).toBe(1);
    expect((await run(`{"id":"big","pad":"${'x'.repeat(MAX_FRAME_BYTES)}"}`)).malformed).toBe(1);
    expect((await run(frame({ action: 'shout', id: 'v', payload: { wrong: true } }))).malformed).toBe(0);
  });

  it('answers a frame refused on arrival with its code and retry hint, before authentication', async () => {
    const refusal = { code: 'rate_limited', retryAfterMs: 40 } as const;
    const { answer, calls } = await run(frame({ action: 'shout', id: 'r', payload: { text: 'x' } }), { refusal, signedIn: false });
    expect(answer).toMatchObject({ action: 'shout', ref: 'r', error: { code: 'rate_limited', details: { retryAfterMs: 40 } } });
    expect(calls).toEqual([]);
  });

  it('checks authentication before the payload, and lets public actions through anonymously', async () => {
    const refused = await run(frame({ action: 'shout', id: 'a', payload: { wrong: true } }), { signedIn: false });
    expect(refused.answer).toMatchObject({ action: 'shout', ref: 'a', error: { code: 'unauthenticated' } });
    const allowed = await run(frame({ action: 'hello', id: 'h' }), { signedIn: false });
    expect(allowed.answer).toEqual({ action: 'hello', ref: 'h', payload: { hi: true } });
  });

  it('validates the payload before the handler runs', async () => {
    const { answer, calls } = await run(frame({ action: 'shout', id: 'v', payload: {} }));
    expect(answer).toMatchObject({
      action: 'shout',
      ref: 'v',
      error: { code: 'validation_failed', details: { issues: [{ path: '/text' }] } },
    });
    expect(calls).toEqual([]);
  });

  it('answers with the handler output, then runs what the handler queued after the reply', async () => {
    const { answer, calls, order } = await run(frame({ action: 'shout', id: 's', payload: { text: 'hey' } }));
    expect(answer).toEqual({ action: 'shout', ref: 's', payload: { text: 'HEY' } });
    expect(calls).toEqual(['shout']);
    expect(order).toEqual(['send', 'flush']);
  });

  it('answers a declared error code as it is', async () => {
    const { answer } = await run(frame({ action: 'fail', id: 'f', payload: { code: 'forbidden' } }));
    expect(answer).toMatchObject({ action: 'fail', ref: 'f', error: { code: 'forbidden' } });
  });

  it('turns an error code the action does not declare, or a plain throw, into internal', async () => {
    const undeclared = await run(frame({ action: 'fail', id: 'u', payload: { code: 'conflict' } }));
    expect(undeclared.answer).toMatchObject({ action: 'fail', ref: 'u', error: { code: 'internal' } });
    const plain = await run(frame({ action: 'fail', id: 'p', payload: { code: 'plain' } }));
    expect(plain.answer).toMatchObject({ action: 'fail', ref: 'p', error: { code: 'internal' } });
    expect(JSON.stringify(plain.answer)).not.toContain('a bug');
  });
});
