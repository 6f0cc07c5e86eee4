import { SwitchboardError } from './errors.ts';

/** A request between `add()` and its answer; `sent` stays false while it waits for the connection. */
interface Pending {
  action: string;
  frame: string;
  sent: boolean;
  urgent: boolean;
  timer: ReturnType<typeof setTimeout>;
  /** Removes the abort listener, once settled. */
  release: (() => void) | undefined;
  resolve(payload: unknown): void;
  reject(error: SwitchboardError): void;
}

/** How one request is sent and bounded. */
export interface AddOptions {
  /** Sent ahead of the queue (the client's rejoins go before the app's sends). */
  urgent?: boolean;
  /** This request's own timeout, instead of the manager's. */
  timeoutMs?: number | undefined;
  /** Rejects the request with `aborted` when it aborts. */
  signal?: AbortSignal | undefined;
  /** Sends the frame at once, past the queue (the `authorize` of a socket not open yet). */
  sendNow?: (frame: string) => void;
}

/**
 * The bookkeeping of socket requests (as trpc's requestManager): string ids, one timeout each,
 * a queue of frames not sent yet, and settlement exactly once, whatever answers first.
 */
export class RequestManager {
  #timeoutMs: number;
  #seq = 0;
  #pending = new Map<string, Pending>();

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Registers a command; it is queued until `flush()` and settled by `settle()`, its timeout or
   * its signal. An aborted request still queued is never sent; one already sent may have run on
   * the server, and its late answer is dropped.
   */
  add(action: string, payload: unknown, options: AddOptions = {}): Promise<unknown> {
    // Ids never repeat within a client, so an answer cannot be taken for another request's.
    const id = String(++this.#seq);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortedError(action, signal));
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise((resolve, reject) => {
      const frame = JSON.stringify(payload === undefined ? { action, id } : { action, id, payload });
      const timer = setTimeout(() => {
        const message = `no answer to ${action} within ${timeoutMs} ms`;
        this.settle(id, new SwitchboardError('timeout', message, { action }));
      }, timeoutMs);
      let release: (() => void) | undefined;
      if (signal) {
        const onAbort = () => this.settle(id, abortedError(action, signal));
        signal.addEventListener('abort', onAbort, { once: true });
        release = () => signal.removeEventListener('abort', onAbort);
      }
      const sent = options.sendNow !== undefined;
      this.#pending.set(id, { action, frame, sent, urgent: options.urgent ?? false, timer, release, resolve, reject });
      options.sendNow?.(frame);
    });
  }

  /** Sends every queued frame, the urgent ones first, each group oldest first. */
  flush(send: (frame: string) => void): void {
    for (const urgent of [true, false]) {
      for (const pending of this.#pending.values()) {
        if (pending.sent || pending.urgent !== urgent) continue;
        pending.sent = true;
        send(pending.frame);
      }
    }
  }

  /** The action of the pending request `id`, if it is still pending. */
  actionOf(id: string): string | undefined {
    return this.#pending.get(id)?.action;
  }

  /** Resolves or rejects request `id` once; false when it is no longer pending (a late answer). */
  settle(id: string, outcome: SwitchboardError | { payload: unknown }): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.release?.();
    if (outcome instanceof SwitchboardError) pending.reject(outcome);
    else pending.resolve(outcome.payload);
    return true;
  }

  /**
   * Rejects the requests already sent (all of them with `includeQueued`), each with its own error;
   * sent ones that `resend` accepts (idempotent, so safe to run twice) are queued again instead.
   */
  fail(error: (action: string) => SwitchboardError, includeQueued: boolean, resend: (action: string) => boolean = () => false): void {
    for (const [id, pending] of this.#pending) {
      if (pending.sent && !includeQueued && resend(pending.action)) pending.sent = false;
      else if (pending.sent || includeQueued) this.settle(id, error(pending.action));
    }
  }
}

function abortedError(action: string, signal: AbortSignal): SwitchboardError<'aborted'> {
  return new SwitchboardError('aborted', `${action} was aborted`, { action, cause: signal.reason });
}
