import { SwitchboardError } from './errors.ts';

/** A request between `add()` and its answer; `sent` stays false while it waits for the connection. */
interface Pending {
  action: string;
  frame: string;
  sent: boolean;
  urgent: boolean;
  timer: ReturnType<typeof setTimeout>;
  resolve(payload: unknown): void;
  reject(error: SwitchboardError): void;
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
   * Registers a command; it is queued until `flush()` and settled by `settle()` or its timeout.
   * An `urgent` one is sent ahead of the queue (the client's rejoins go before the app's sends).
   */
  add(action: string, payload: unknown, urgent = false): Promise<unknown> {
    // Ids never repeat within a client, so an answer cannot be taken for another request's.
    const id = String(++this.#seq);
    return new Promise((resolve, reject) => {
      const frame = JSON.stringify(payload === undefined ? { action, id } : { action, id, payload });
      const timer = setTimeout(() => {
        const message = `no answer to ${action} within ${this.#timeoutMs} ms`;
        this.settle(id, new SwitchboardError('timeout', message, { action }));
      }, this.#timeoutMs);
      this.#pending.set(id, { action, frame, sent: false, urgent, timer, resolve, reject });
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
    if (outcome instanceof SwitchboardError) pending.reject(outcome);
    else pending.resolve(outcome.payload);
    return true;
  }

  /** Rejects the requests already sent (all of them with `includeQueued`), each with its own error. */
  fail(error: (action: string) => SwitchboardError, includeQueued: boolean): void {
    for (const [id, pending] of this.#pending) {
      if (pending.sent || includeQueued) this.settle(id, error(pending.action));
    }
  }
}
