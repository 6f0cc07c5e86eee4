import type { ChannelErrorContext, ChannelErrorHandler, ChannelListener } from './channel-layer.ts';

/**
 * The listeners of one topic on one node. The transport holds exactly one subscription per topic
 * per node and calls `deliver`, which fans out to the local listeners.
 */
export class TopicFanOut {
  /** The topic as listeners see it (without any transport prefix). */
  readonly topic: string;
  readonly #listeners = new Set<ChannelListener>();
  readonly #report: ChannelErrorHandler;
  // Built once per topic so that a throwing listener costs no allocation beyond the error itself.
  readonly #errorContext: ChannelErrorContext;

  constructor(topic: string, report: ChannelErrorHandler) {
    this.topic = topic;
    this.#report = report;
    this.#errorContext = { kind: 'listener', topic };
  }

  /** How many listeners remain; zero means the node no longer needs the transport subscription. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; a listener already present stays once. */
  add(listener: ChannelListener): void {
    this.#listeners.add(listener);
  }

  /** Removes a listener; it is not called again, even for a message being delivered right now. */
  delete(listener: ChannelListener): void {
    this.#listeners.delete(listener);
  }

  /** Removes every listener (the node is closing). */
  clear(): void {
    this.#listeners.clear();
  }

  /**
   * Calls every listener with one message. An arrow property, so the transport can hold it as a
   * callback without a bind per subscription; a throwing listener is reported and the rest still run.
   */
  readonly deliver = (message: string): void => {
    for (const listener of this.#listeners) {
      try {
        listener(message, this.topic);
      } catch (error) {
        this.#report(error, this.#errorContext);
      }
    }
  };
}
