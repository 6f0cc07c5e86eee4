/**
 * This node's local members of each topic. The first local member of a topic subscribes it on
 * the channel layer and the last one to leave unsubscribes it, so a node holds one subscription
 * per topic however many of its sockets are in it. A published frame arrives once per node and
 * is written, already encoded, to each local member (socket.io's "encode once, write many").
 */
import type { Connection } from './connection.ts';

/** Receives one message published on a topic (the channel layer's listener shape). */
export type TopicListener = (message: string, topic: string) => void;

/**
 * What the hub needs of a channel layer, declared here so the transport imports no store: the
 * channel layer satisfies it as it is.
 */
export interface TopicTransport {
  /** Resolves once the subscription is live. */
  subscribe(topic: string, listener: TopicListener): Promise<void>;
  unsubscribe(topic: string, listener: TopicListener): Promise<void>;
}
import { isControl, parseClose, parseControl } from './control.ts';
import { noMetrics, type Metrics } from '../lib/metrics.ts';
import { SwitchboardError } from '../lib/errors.ts';

/** Handles a control message of a registered name, given the topic's local members (a copy) and its argument. */
export type ControlHandler = (members: Connection[], argument: string, topic: string) => void;

interface TopicEntry {
  readonly members: Set<Connection>;
  readonly listener: TopicListener;
  readonly ready: Promise<void>;
}

/**
 * Hands one channel message to local members: a control message is applied (closing them), a
 * frame is written. `ws` turns a string into bytes on every send, so a frame for several members
 * is converted once and the same bytes written to all.
 */
export function deliver(
  message: string,
  members: Iterable<Connection>,
  count: number,
  control?: (message: string, members: Iterable<Connection>) => void,
): void {
  if (isControl(message)) {
    const reason = parseClose(message);
    if (reason) for (const member of members) member.close(reason);
    else control?.(message, members);
    return;
  }
  if (count === 1) {
    for (const member of members) member.send(message);
    return;
  }
  const encoded = Buffer.from(message);
  for (const member of members) member.sendEncoded(encoded);
}

/** Local topic membership over a channel layer. */
export class Hub {
  readonly #channels: TopicTransport;
  readonly #topics = new Map<string, TopicEntry>();
  readonly #controls = new Map<string, ControlHandler>();
  readonly #metrics: Metrics;

  constructor(channels: TopicTransport, metrics: Metrics = noMetrics) {
    this.#channels = channels;
    this.#metrics = metrics;
  }

  /** Registers the handler of control messages named `name` (see `encodeControl`); unknown names are ignored. */
  onControl(name: string, handler: ControlHandler): void {
    this.#controls.set(name, handler);
  }

  #control(topic: string, message: string, members: Iterable<Connection>): void {
    const parsed = parseControl(message);
    const handler = parsed && this.#controls.get(parsed.name);
    // A copy: the handler may make members leave the topic while it runs.
    if (handler) handler([...members], parsed.argument, topic);
  }

  /** Adds a connection to a topic; resolves once frames published to it will reach this node. */
  async join(topic: string, connection: Connection): Promise<void> {
    let entry = this.#topics.get(topic);
    if (!entry) {
      const members = new Set<Connection>();
      const onControl = (control: string, local: Iterable<Connection>) => this.#control(topic, control, local);
      const listener: TopicListener = (message) => {
        deliver(message, members, members.size, onControl);
        this.#metrics.delivered(message);
      };
      // A channel layer that refuses or times out is an outage: the client retries on `unavailable`.
      const ready = this.#channels.subscribe(topic, listener).catch((error: unknown) => {
        throw error instanceof SwitchboardError
          ? error
          : new SwitchboardError('unavailable', 'The channel layer is not available.', undefined, { cause: error, dependency: 'redis' });
      });
      entry = { members, listener, ready };
      this.#topics.set(topic, entry);
      const created = entry;
      // A failed subscribe must not leave an entry that later joins would wait on forever.
      created.ready.catch(() => {
        if (this.#topics.get(topic) === created) this.#topics.delete(topic);
      });
    }
    entry.members.add(connection);
    connection.addTopic(topic);
    try {
      await entry.ready;
    } catch (error) {
      // Not a member after all: nothing reaches it, and its close has nothing to leave.
      entry.members.delete(connection);
      connection.dropTopic(topic);
      throw error;
    }
  }

  /** Removes a connection from a topic; the last local member unsubscribes the node. */
  async leave(topic: string, connection: Connection): Promise<void> {
    connection.dropTopic(topic);
    const entry = this.#topics.get(topic);
    if (!entry || !entry.members.delete(connection) || entry.members.size > 0) return;
    this.#topics.delete(topic);
    await entry.ready.catch(() => undefined);
    await this.#channels.unsubscribe(topic, entry.listener);
  }

  /** Removes a connection from every topic it is in (on disconnect). */
  async leaveAll(connection: Connection): Promise<void> {
    const own = connection.takeTopics();
    await Promise.all(own.map((topic) => this.leave(topic, connection)));
  }

  /** How many local members a topic has on this node. */
  localMembers(topic: string): number {
    return this.#topics.get(topic)?.members.size ?? 0;
  }

  /** The names of the topics this node is subscribed to (read at a metrics scrape). */
  topicNames(): IterableIterator<string> {
    return this.#topics.keys();
  }

  /** The topics this node is subscribed to. */
  get topicCount(): number {
    return this.#topics.size;
  }
}
