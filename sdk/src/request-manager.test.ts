/**
 * Request bookkeeping without a socket: ids that never repeat, urgent frames first, settlement
 * exactly once whatever answers first, and the timeout on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SwitchboardError } from './errors.ts';
import { RequestManager } from './request-manager.ts';

const frames = (manager: RequestManager): { action: string; id: string; payload?: unknown }[] => {
  const sent: string[] = [];
  manager.flush((frame) => sent.push(frame));
  return sent.map((frame) => JSON.parse(frame) as { action: string; id: string; payload?: unknown });
};

describe('RequestManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('queues frames until flushed, then sends each once: urgent ones first, each group oldest first', () => {
    const manager = new RequestManager(1_000);
    void manager.add('chat.send', { room: 'a', text: '1' });
    void manager.add('ping', undefined);
    void manager.add('chat.join', { room: 'a', since: 3 }, { urgent: true });
    expect(frames(manager)).toEqual([
      { action: 'chat.join', id: '3', payload: { room: 'a', since: 3 } },
      { action: 'chat.send', id: '1', payload: { room: 'a', text: '1' } },
      { action: 'ping', id: '2' },
    ]);
    expect(frames(manager)).toEqual([]);
  });

  it('settles a request once: a second or late answer is refused', async () => {
    const manager = new RequestManager(1_000);
    const reply = manager.add('echo', { text: 'hi' });
    expect(manager.actionOf('1')).toBe('echo');
    expect(manager.settle('1', { payload: { text: 'hi' } })).toBe(true);
    expect(manager.settle('1', { payload: { text: 'again' } })).toBe(false);
    expect(manager.settle('404', { payload: {} })).toBe(false);
    await expect(reply).resolves.toEqual({ text: 'hi' });
    expect(manager.actionOf('1')).toBeUndefined();
  });

  it('rejects with timeout when no answer comes within the limit, and not before', async () => {
    const manager = new RequestManager(1_000);
    const reply = manager.add('echo', { text: 'hi' });
    const outcome = reply.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    vi.advanceTimersByTime(999);
    expect(manager.actionOf('1')).toBe('echo');
    vi.advanceTimersByTime(1);
    expect(await outcome).toMatchObject({ code: 'timeout', action: 'echo' });
    // The timed-out request is gone: a late answer does not resolve anything.
    expect(manager.settle('1', { payload: {} })).toBe(false);
  });

  it('clears the timeout of an answered request', async () => {
    const manager = new RequestManager(1_000);
    const reply = manager.add('echo', {});
    manager.settle('1', { payload: 'ok' });
    expect(vi.getTimerCount()).toBe(0);
    await expect(reply).resolves.toBe('ok');
  });

  it('fails the sent requests on a close and keeps the queued ones, unless told to fail them too', async () => {
    const manager = new RequestManager(1_000);
    const sent = manager.add('chat.send', { text: 'sent' });
    frames(manager);
    const queued = manager.add('chat.send', { text: 'queued' });
    manager.fail((action) => new SwitchboardError('unavailable', 'the socket closed', { action }), false);
    await expect(sent).rejects.toMatchObject({ code: 'unavailable', action: 'chat.send' });
    expect(manager.actionOf('2')).toBe('chat.send');
    manager.fail((action) => new SwitchboardError('unavailable', 'the client closed', { action }), true);
    await expect(queued).rejects.toMatchObject({ code: 'unavailable', message: 'the client closed' });
  });
});
