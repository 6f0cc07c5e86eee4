/** A tiny typed event emitter: `on` returns its own unsubscribe function. */
export class Emitter<Events extends object> {
  #listeners = new Map<string, Set<(payload: unknown) => void>>();

  /** Adds a listener; call the returned function to remove it. */
  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    // Stored untyped: the event name is what ties a listener to its payload type.
    const stored = listener as (payload: unknown) => void;
    set.add(stored);
    return () => void set.delete(stored);
  }

  /** Calls the listeners of `event` with its payload. */
  emit<E extends keyof Events & string>(event: E, payload: Events[E]): void {
    this.emitUnchecked(event, payload);
  }

  /** Calls the listeners of an event named at run time (a frame's action); one that throws neither stops the others nor is swallowed. */
  emitUnchecked(event: string, payload: unknown): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
