/** Waits for SDK client events by predicate, recording everything, so tests never sleep. */
import type { SwitchboardClient, UserEvents } from '@switchboard/sdk';
import { deadline } from './deadline.ts';

const DEADLINE_MS = deadline(5_000);

type EventName = keyof UserEvents & string;

/** Records every event of the given names a client emits. */
export class EventLog {
  readonly events: { name: EventName; payload: unknown }[] = [];
  #waiters: { match: (name: EventName, payload: unknown) => boolean; resolve: (payload: unknown) => void }[] = [];

  constructor(client: SwitchboardClient, names: readonly EventName[]) {
    for (const name of names) {
      client.on(name, (payload: unknown) => {
        this.events.push({ name, payload });
        this.#waiters = this.#waiters.filter((w) => !(w.match(name, payload) && (w.resolve(payload), true)));
      });
    }
  }

  /** The payloads of one event name, in arrival order. */
  of<E extends EventName>(name: E): UserEvents[E][] {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as UserEvents[E]);
  }

  /** Resolves with the first event (already recorded or future) of `name` matching `match`. */
  wait<E extends EventName>(name: E, match: (payload: UserEvents[E]) => boolean = () => true): Promise<UserEvents[E]> {
    const seen = this.events.find((e) => e.name === name && match(e.payload as UserEvents[E]));
    if (seen) return Promise.resolve(seen.payload as UserEvents[E]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${name} event within ${DEADLINE_MS} ms; saw ${JSON.stringify(this.events.map((e) => e.name))}`)),
        DEADLINE_MS,
      );
      this.#waiters.push({
        match: (n, p) => n === name && match(p as UserEvents[E]),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p as UserEvents[E]);
        },
      });
    });
  }
}
