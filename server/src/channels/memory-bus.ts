import type { TopicFanOut } from './topic-fan-out.ts';

/**
 * The in-process stand-in for Redis: memory channel layers sharing one bus behave like server
 * nodes sharing one Redis. Each layer attaches one fan-out per topic, as it would hold one
 * Redis subscription.
 */
export interface MemoryBus {
  /** How many layers (nodes) are subscribed to the topic; the in-process `PUBSUB NUMSUB`. */
  subscriberCount(topic: string): number;
  /** Queues a message for every fan-out attached to the topic at delivery time. */
  publish(topic: string, message: string): void;
  /** Subscribes a node's fan-out to its topic. */
  attach(fanOut: TopicFanOut): void;
  /** Unsubscribes a node's fan-out from its topic. */
  detach(fanOut: TopicFanOut): void;
}

/** Creates a bus that several memory channel layers can share, to run a cluster in one process. */
export function createMemoryBus(): MemoryBus {
  return new InProcessBus();
}

class InProcessBus implements MemoryBus {
  readonly #subscribers = new Map<string, Set<TopicFanOut>>();
  // Topic and message alternate in one flat array, so queueing a message allocates no entry object.
  readonly #queue: string[] = [];
  #head = 0;
  #draining = false;

  subscriberCount(topic: string): number {
    return this.#subscribers.get(topic)?.size ?? 0;
  }

  publish(topic: string, message: string): void {
    this.#queue.push(topic, message);
    // Delivery is never inside publish(), as with Redis: code that passes on memory does not come
    // to depend on synchronous delivery, and a listener that publishes cannot reorder the messages
    // other listeners see, because everything goes through this one FIFO queue.
    if (!this.#draining) {
      this.#draining = true;
      queueMicrotask(this.#drain);
    }
  }

  attach(fanOut: TopicFanOut): void {
    let fanOuts = this.#subscribers.get(fanOut.topic);
    if (fanOuts === undefined) {
      fanOuts = new Set();
      this.#subscribers.set(fanOut.topic, fanOuts);
    }
    fanOuts.add(fanOut);
  }

  detach(fanOut: TopicFanOut): void {
    const fanOuts = this.#subscribers.get(fanOut.topic);
    if (fanOuts === undefined) return;
    fanOuts.delete(fanOut);
    if (fanOuts.size === 0) this.#subscribers.delete(fanOut.topic);
  }

  readonly #drain = (): void => {
    const queue = this.#queue;
    // Messages published by listeners during the drain are appended and delivered in this loop.
    while (this.#head < queue.length) {
      const topic = queue[this.#head] as string;
      const message = queue[this.#head + 1] as string;
      this.#head += 2;
      const fanOuts = this.#subscribers.get(topic);
      if (fanOuts === undefined) continue;
      // deliver() catches listener errors, so one bad listener cannot stall the queue.
      for (const fanOut of fanOuts) fanOut.deliver(message);
    }
    queue.length = 0;
    this.#head = 0;
    this.#draining = false;
  };
}
