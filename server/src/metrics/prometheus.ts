/**
 * Prometheus metrics (prom-client) behind the metrics port: one registry per node, so several
 * nodes in one process (tests) keep their own figures. Gauges are read at scrape time from the
 * node's state; counters are bumped by the layers through the port. Labels are bounded: socket
 * route (`user`, `endpoint`), close code, catalog error code, transport, dependency, connection,
 * gap cause, job status.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SwitchboardError } from '../lib/errors.ts';
import type { Dependency, ErrorTransport, Metrics } from '../lib/metrics.ts';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  /** How many sockets are open on this node. */
  sockets(): number;
  /** The topics this node is subscribed to (`room:<id>:chat`, …), for the rooms with local members. */
  topics(): Iterable<string>;
}

/** A node's Prometheus metrics: the port the layers call and the text a scrape reads. */
export interface PrometheusMetrics {
  readonly port: Metrics;
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The exposition text of every metric. */
  render(): Promise<string>;
}

const CREATED_AT = '"createdAt":"';
// Only room messages carry their creation time; other frames are not timed.
const TIMED = ['{"action":"chat.message"', '{"action":"message"'];

/** The seconds between a message's `createdAt` and now, or undefined for a frame that is not a room message. */
function ageOf(frame: string, now: number): number | undefined {
  if (!TIMED.some((prefix) => frame.startsWith(prefix))) return undefined;
  // The wire shape puts createdAt after the payload's data, so search from the end.
  const at = frame.lastIndexOf(CREATED_AT);
  if (at < 0) return undefined;
  const start = at + CREATED_AT.length;
  const created = Date.parse(frame.slice(start, start + 24));
  return Number.isNaN(created) ? undefined : Math.max(0, (now - created) / 1000);
}

/**
 * The dependency whose timeout caused an `unavailable` answer, if a timeout did: the error names
 * its dependency (`SwitchboardError.dependency`), and a cause down its chain is a timeout
 * (node-redis's `TimeoutError`, pg's "Query read timeout" or "timeout exceeded when trying to connect").
 */
function timedOut(error: unknown): Dependency | undefined {
  if (!(error instanceof SwitchboardError) || error.dependency === undefined) return undefined;
  const { dependency } = error;
  for (let cause = error.cause, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause.name === 'TimeoutError' || /timeout|timed out/i.test(cause.message)) return dependency;
  }
  return undefined;
}

/**
 * One counter's child per route, looked up once: `inc({ route })` hashes its labels on every
 * call, and frames out are counted once per recipient of every broadcast.
 */
function perRoute(counter: Counter<'route'>): (route: string) => { inc(value?: number): void } {
  const children = new Map<string, { inc(value?: number): void }>();
  return (route) => {
    let child = children.get(route);
    if (child === undefined) children.set(route, (child = counter.labels({ route })));
    return child;
  };
}

/** Creates a node's metrics over its state. */
export function createPrometheusMetrics(sources: MetricsSources): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_process_' });
  const registers = [registry];
  new Gauge({
    name: 'switchboard_sockets',
    help: 'Sockets open on this node.',
    registers,
    collect() {
      this.set(sources.sockets());
    },
  });
  new Gauge({
    name: 'switchboard_rooms',
    help: 'Rooms with at least one member (chat socket or endpoint reader) on this node.',
    registers,
    collect() {
      const rooms = new Set<string>();
      for (const topic of sources.topics()) if (topic.startsWith('room:')) rooms.add(topic.split(':')[1] ?? '');
      this.set(rooms.size);
    },
  });
  const framesIn = new Counter({
    name: 'switchboard_frames_in_total',
    help: 'Frames received from sockets.',
    labelNames: ['route'],
    registers,
  });
  const framesOut = new Counter({
    name: 'switchboard_frames_out_total',
    help: 'Frames written to sockets.',
    labelNames: ['route'],
    registers,
  });
  const bytesIn = new Counter({
    name: 'switchboard_bytes_in_total',
    help: 'Bytes of frames received from sockets.',
    labelNames: ['route'],
    registers,
  });
  const bytesOut = new Counter({
    name: 'switchboard_bytes_out_total',
    help: 'Bytes of frames written to sockets.',
    labelNames: ['route'],
    registers,
  });
  const closes = new Counter({
    name: 'switchboard_socket_closes_total',
    help: 'Closes the server sent, by close code.',
    labelNames: ['code'],
    registers,
  });
  const slow = new Counter({
    name: 'switchboard_slow_consumer_closes_total',
    help: 'Sockets closed with 4001: their send buffer passed its limit.',
    registers,
  });
  const errors = new Counter({
    name: 'switchboard_errors_total',
    help: 'Error answers, by catalog code and transport.',
    labelNames: ['code', 'transport'],
    registers,
  });
  const latency = new Histogram({
    name: 'switchboard_publish_delivery_seconds',
    help: "From a room message's createdAt (the sending node's clock; the database's with history) to this node handing it to its local members.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const resubscriptions = new Counter({
    name: 'switchboard_channel_resubscriptions_total',
    help: "The channel layer's subscriber reconnected and resubscribed after a loss.",
    registers,
  });
  const reconnects = new Counter({
    name: 'switchboard_channel_reconnects_total',
    help: 'A channel-layer connection to Redis ready again after a drop, by connection (publisher, subscriber).',
    labelNames: ['connection'],
    registers,
  });
  const gaps = new Counter({
    name: 'switchboard_gaps_announced_total',
    help: 'Losses clients are told of, by cause: resubscription counts sockets closed with 4004 after a channel-layer loss (their clients recover from history); seq_jump counts rooms without history whose seq jumped after Redis lost their counter (the SDK announces chat.gap).',
    labelNames: ['cause'],
    registers,
  });
  const jobs = new Counter({
    name: 'switchboard_jobs_finished_total',
    help: 'Jobs finished, by status (succeeded, failed, cancelled, timed_out, lost).',
    labelNames: ['status'],
    registers,
  });
  const timeouts = new Counter({
    name: 'switchboard_dependency_timeouts_total',
    help: 'Requests answered unavailable because a dependency call timed out.',
    labelNames: ['dependency'],
    registers,
  });

  const framesInOf = perRoute(framesIn);
  const bytesInOf = perRoute(bytesIn);
  const framesOutOf = perRoute(framesOut);
  const bytesOutOf = perRoute(bytesOut);
  const port: Metrics = {
    frameIn(route, bytes) {
      framesInOf(route).inc();
      bytesInOf(route).inc(bytes);
    },
    frameOut(route, bytes) {
      framesOutOf(route).inc();
      bytesOutOf(route).inc(bytes);
    },
    closed(_route, code) {
      closes.inc({ code: String(code) });
      if (code === 4001) slow.inc();
    },
    error(transport: ErrorTransport, code, cause) {
      errors.inc({ code, transport });
      const dependency = code === 'unavailable' ? timedOut(cause) : undefined;
      if (dependency) timeouts.inc({ dependency });
    },
    delivered(frame) {
      const age = ageOf(frame, Date.now());
      if (age !== undefined) latency.observe(age);
    },
    reconnected: (connection) => reconnects.inc({ connection }),
    resubscribed: () => resubscriptions.inc(),
    gapAnnounced: (cause, count) => gaps.inc({ cause }, count),
    jobFinished: (status) => jobs.inc({ status }),
  };
  return { port, contentType: registry.contentType, render: () => registry.metrics() };
}
