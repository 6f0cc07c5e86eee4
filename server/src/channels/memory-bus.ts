/** One node's subscription to one topic on a memory bus (a layer's fan-out to its listeners). */
export interface MemoryBusSubscriber {
  /** The topic it receives. */
  readonly topic: string;
  /** Receives each message of the topic; must not throw. */
  deliver(message: string): void;
}

/**
 * The in-process stand-in for Redis: memory channel layers sharing one bus behave like server
 * nodes sharing one Redis. Each layer attaches one fan-out per topic, as it would hold one
 * Redis subscription.
 */
export interface MemoryBus {
  /** How many layers (nodes) are subscribed to the topic; the in-process `PUBSUB NUMSUB`. */
  subscriberCount(topic: string): number;
  /** Queues a message for every subscriber of the topic at delivery time; delivery runs on a later microtask. */
  publish(topic: string, message: string): void;
  /** Subscribes a node to the subscriber's topic. */
  attach(subscriber: MemoryBusSubscriber): void;
  /** Unsubscribes a node from the subscriber's topic. */
  detach(subscriber: MemoryBusSubscriber): void;
}

/** Creates a bus that several memory channel layers can share, to run a cluster in one process. */
export function createMemoryBus(): MemoryBus {
  return new InProcessBus();
}

class InProcessBus implements MemoryBus {
  readonly #subscribers = new Map<string, Set<MemoryBusSubscriber>>();
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

  attach(subscriber: MemoryBusSubscriber): void {
    let subscribers = this.#subscribers.get(subscriber.topic);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#subscribers.set(subscriber.topic, subscribers);
    }
    subscribers.add(subscriber);
  }

  detach(subscriber: MemoryBusSubscriber): void {
    const subscribers = this.#subscribers.get(subscriber.topic);
    if (subscribers === undefined) return;
    subscribers.delete(subscriber);
    if (subscribers.size === 0) this.#subscribers.delete(subscriber.topic);
  }

  readonly #drain = (): void => {
    const queue = this.#queue;
    try {
      // Messages published by listeners during the drain are appended and delivered in this loop.
      while (this.#head < queue.length) {
        const topic = queue[this.#head] as string;
        const message = queue[this.#head + 1] as string;
        this.#head += 2;
        const subscribers = this.#subscribers.get(topic);
        if (subscribers === undefined) continue;
        for (const subscriber of subscribers) subscriber.deliver(message);
      }
    } finally {
      // A layer's fan-out never throws, but a hand-written subscriber might: its error escapes
      // as an uncaught exception and the rest of the queue is still delivered.
      if (this.#head < queue.length) {
        queueMicrotask(this.#drain);
      } else {
        queue.length = 0;
        this.#head = 0;
        this.#draining = false;
      }
    }
  };
}
