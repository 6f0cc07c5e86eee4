import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenIssuer } from './tokens.ts';

const K1 = 'k1-0123456789abcdef0123456789abcdef';
const K2 = 'k2-0123456789abcdef0123456789abcdef';

describe('token keys', () => {
  afterEach(() => vi.useRealTimers());

  it('verifies with the previous key until its end, never after', async () => {
    const oldIssuer = await createTokenIssuer(K1);
    const { token } = await oldIssuer.issue('u', 'a', 3600);
    const until = Date.now() + 1000;
    const rotated = await createTokenIssuer({ keys: { current: K2, previous: K1, previousUntil: until } });
    await expect(rotated.verify(token)).resolves.toMatchObject({ userId: 'u' });
    vi.useFakeTimers({ now: until + 1 });
    await expect(rotated.verify(token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('re-reads its keys when a token fails them, at most every few seconds', async () => {
    const signer = await createTokenIssuer(K2);
    const { token } = await signer.issue('u', 'a', 3600);
    let keys = { current: K1 };
    const reload = vi.fn(async () => keys);
    const node = await createTokenIssuer({ keys, reload });
    // Loaded just now: a failing token does not cause a read.
    await expect(node.verify(token)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(reload).not.toHaveBeenCalled();
    vi.useFakeTimers({ now: Date.now() + 6_000 });
    keys = { current: K2, previous: K1, previousUntil: Date.now() + 60_000 } as typeof keys;
    await expect(node.verify(token)).resolves.toMatchObject({ userId: 'u' });
    expect(reload).toHaveBeenCalledTimes(1);
    // Garbage right after does not read again.
    await expect(node.verify('garbage')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
