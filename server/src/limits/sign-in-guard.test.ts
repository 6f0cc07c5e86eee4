/** The guard's waiting places, deterministic (memory counters, no delay awaited): per username, per node, and known addresses. */
import { describe, expect, it } from 'vitest';
import { createCounters } from './counters.ts';
import { createSignInGuard, type SignInVerdict } from './sign-in-guard.ts';

const limits = { perAddress: 100, perAccountAddress: 100, perAccount: 1, maxDelayMs: 1000, slowedPerAccount: 2, slowedMax: 3 };

const delayed = (verdict: SignInVerdict) => (verdict.kind === 'proceed' ? verdict.delayMs : verdict.scope);

describe('the sign-in guard', () => {
  it('holds slowed attempts to a few per username and a few in all, and frees a place on release', async () => {
    const guard = createSignInGuard(createCounters({ prefix: 't:' }), limits);
    // The username's allowance: not slowed, no place taken.
    expect(delayed(await guard.check('app:ada', 'a0'))).toBe(0);
    const first = await guard.check('app:ada', 'a1');
    expect(delayed(first)).toBe(100);
    expect(delayed(await guard.check('app:ada', 'a2'))).toBe(200);
    expect(delayed(await guard.check('app:ada', 'a3'))).toBe('account');
    await guard.check('app:bob', 'b0');
    expect(delayed(await guard.check('app:bob', 'b1'))).toBe(100);
    // Three wait on the node: bob's next is refused for the node, not for bob.
    expect(delayed(await guard.check('app:bob', 'b2'))).toBe('node');
    if (first.kind === 'proceed') {
      first.release();
      first.release();
    }
    expect(typeof delayed(await guard.check('app:ada', 'a4'))).toBe('number');
  });

  it('never slows nor holds back an address the user signed in from', async () => {
    const guard = createSignInGuard(createCounters({ prefix: 't:' }), limits);
    await guard.check('app:ada', 'home');
    await guard.succeeded('app:ada', 'home');
    for (const address of ['x1', 'x2', 'x3']) await guard.check('app:ada', address);
    expect(delayed(await guard.check('app:ada', 'x4'))).toBe('account');
    expect(delayed(await guard.check('app:ada', 'home'))).toBe(0);
  });
});
