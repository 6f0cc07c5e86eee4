import type { ChannelErrorHandler, ChannelLayer, ChannelListener } from './channel-layer.ts';
import { ChannelLayerError } from './channel-layer-error.ts';
import { createErrorReporter } from '../lib/error-reporter.ts';
import { createMemoryBus } from './memory-bus.ts';
import type { MemoryBus } from './memory-bus.ts';
import { TopicFanOut } from './topic-fan-out.ts';

/** Options of the in-process channel layer. */
export interface MemoryChannelLayerOptions {
  /**
   * The bus to share with other memory layers, to run several nodes in one process.
   * @default a bus of its own
   */
  bus?: MemoryBus;
  /**
   * Receives the errors of listeners that threw.
   * @default rethrow on a later microtask (an uncaught exception)
   */
  onError?: ChannelErrorHandler;
}

/** Creates the in-process channel layer: one node on a memory bus, delivering on a microtask in publish order. */
export function createMemoryChannelLayer(options: MemoryChannelLayerOptions = {}): ChannelLayer {
  return new MemoryChannelLayer(options.bus ?? createMemoryBus(), createErrorReporter(options.onError));
}

class MemoryChannelLayer implements ChannelLayer {
  readonly kind = 'memory';
  readonly #bus: MemoryBus;
  readonly #report: ChannelErrorHandler;
  readonly #topics = new Map<string, TopicFanOut>();
  #closed = false;

  constructor(bus: MemoryBus, report: ChannelErrorHandler) {
    this.#bus = bus;
    this.#report = report;
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closed) throw closedError();
    this.#bus.publish(topic, message);
  }

  async subscribe(topic: string, listener: ChannelListener): Promise<void> {
    if (this.#closed) throw closedError();
    let fanOut = this.#topics.get(topic);
    if (fanOut === undefined) {
      fanOut = new TopicFanOut(topic, this.#report);
      this.#topics.set(topic, fanOut);
      this.#bus.attach(fanOut);
    }
    fanOut.add(listener);
  }

  async unsubscribe(topic: string, listener: ChannelListener): Promise<void> {
    const fanOut = this.#topics.get(topic);
    if (fanOut === undefined) return;
    fanOut.delete(listener);
    if (fanOut.size > 0) return;
    this.#topics.delete(topic);
    this.#bus.detach(fanOut);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const fanOut of this.#topics.values()) {
      fanOut.clear();
      this.#bus.detach(fanOut);
    }
    this.#topics.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function closedError(): ChannelLayerError {
  return new ChannelLayerError('closed', 'The channel layer is closed');
}
