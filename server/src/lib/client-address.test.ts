import { describe, expect, it } from 'vitest';
import { createAddressResolver, trustProxyProblem } from './client-address.ts';

describe('client address', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    const resolve = createAddressResolver([]);
    expect(resolve('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(resolve('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
    expect(resolve(undefined, undefined)).toBe('unknown');
  });

  it('takes the nearest untrusted hop behind trusted proxies', () => {
    const resolve = createAddressResolver(['127.0.0.1', '10.0.0.0/8']);
    // Client 198.51.100.1 → proxy 10.1.2.3 → nginx 127.0.0.1; a spoofed left-most entry is ignored.
    expect(resolve('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3')).toBe('198.51.100.1');
    expect(resolve('::ffff:127.0.0.1', '198.51.100.1')).toBe('198.51.100.1');
  });

  it('does not trust the header from a peer that is not a trusted proxy', () => {
    const resolve = createAddressResolver(['127.0.0.1']);
    expect(resolve('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
  });

  it('stops at a hop that is not an address, and returns the left-most when all are trusted', () => {
    const resolve = createAddressResolver(['loopback']);
    expect(resolve('127.0.0.1', 'garbage, 127.0.0.5')).toBe('127.0.0.5');
    expect(resolve('127.0.0.1', '127.0.0.7, 127.0.0.5')).toBe('127.0.0.7');
    expect(resolve('127.0.0.1', '')).toBe('127.0.0.1');
  });

  it('names what is wrong with an entry', () => {
    expect(trustProxyProblem('loopback')).toBeUndefined();
    expect(trustProxyProblem('10.0.0.0/8')).toBeUndefined();
    expect(trustProxyProblem('::1')).toBeUndefined();
    expect(trustProxyProblem('10.0.0.0/33')).toMatch(/prefix/);
    expect(trustProxyProblem('nginx')).toMatch(/not an address/);
  });
});
