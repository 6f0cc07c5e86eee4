/**
 * The traffic of the fault suite: writers that send chat messages at a steady pace through every
 * node and record what was acknowledged, and readers on every node that record what they were
 * delivered, what was announced as a gap, and whether they were ever shut out for good.
 */
import { createClient, type ChatGapEvent, type SwitchboardClient } from '@switchboard/sdk';

/** A room the traffic runs in, with or without history. */
export interface TrafficRoom {
  name: string;
  history: boolean;
}

/** What one writer saw. */
export interface WriterRecord {
  readonly name: string;
  /** seq of each acknowledged message, by room. */
  readonly acked: Map<string, number[]>;
  /** Failed sends by error code. */
  readonly failed: Map<string, number>;
  /** Set when the client closed for good (a "do not reconnect" close). */
  shutOut: string | undefined;
}

/** What one reader saw. */
export interface ReaderRecord {
  readonly name: string;
  /** seqs in delivery order, by room. */
  readonly delivered: Map<string, number[]>;
  readonly gaps: Map<string, ChatGapEvent[]>;
  /** Set when the client closed for good (a "do not reconnect" close). */
  shutOut: string | undefined;
  /** Resolves once the room's deliveries and gaps reach `seq`. */
  reached(room: string, seq: number): Promise<void>;
}

/** A client of the traffic with its record. */
interface Participant<R> {
  client: SwitchboardClient;
  record: R;
}

const CLIENT_OPTIONS = { validate: true, reconnect: { minDelayMs: 50, maxDelayMs: 1_000 }, requestTimeoutMs: 15_000 } as const;

/** Starts a reader on `wsUrl` joined to every room. */
export async function startReader(
  name: string,
  wsUrl: string,
  token: string,
  rooms: readonly TrafficRoom[],
): Promise<Participant<ReaderRecord>> {
  const client = createClient({ url: wsUrl, token, ...CLIENT_OPTIONS });
  const waiters: { room: string; seq: number; resolve: () => void }[] = [];
  const reachedSeq = (room: string) =>
    Math.max(0, record.delivered.get(room)?.at(-1) ?? 0, ...(record.gaps.get(room) ?? []).map((gap) => gap.to));
  const wake = (room: string) => {
    for (const waiter of waiters.filter((w) => w.room === room && reachedSeq(room) >= w.seq)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const record: ReaderRecord = {
    name,
    delivered: new Map(),
    gaps: new Map(),
    shutOut: undefined,
    reached: (room, seq) => (reachedSeq(room) >= seq ? Promise.resolve() : new Promise((resolve) => waiters.push({ room, seq, resolve }))),
  };
  for (const room of rooms) {
    record.delivered.set(room.name, []);
    record.gaps.set(room.name, []);
  }
  client.on('chat.message', (m) => (record.delivered.get(m.room)?.push(m.seq), wake(m.room)));
  client.on('chat.gap', (gap) => (record.gaps.get(gap.room)?.push(gap), wake(gap.room)));
  client.on('state', (state) => {
    if (state.state === 'closed') record.shutOut = `${state.reason.code} ${state.reason.reason}`;
  });
  for (const room of rooms) await client.chat.join({ room: room.name });
  return { client, record };
}

/** A writer: sends to each room in turn, one message at a time, at most `perSecond`, until stopped. */
export function startWriter(name: string, wsUrl: string, token: string, rooms: readonly TrafficRoom[], perSecond: number) {
  const client = createClient({ url: wsUrl, token, ...CLIENT_OPTIONS });
  const record: WriterRecord = { name, acked: new Map(rooms.map((r) => [r.name, []])), failed: new Map(), shutOut: undefined };
  client.on('state', (state) => {
    if (state.state === 'closed') record.shutOut = `${state.reason.code} ${state.reason.reason}`;
  });
  let stopped = false;
  const loop = (async () => {
    for (const room of rooms) {
      await client.chat.join({ room: room.name }).catch(() => undefined);
    }
    const interval = 1000 / perSecond;
    for (let i = 0; !stopped; i++) {
      const started = Date.now();
      const room = rooms[i % rooms.length]!;
      try {
        const sent = await client.chat.send({ room: room.name, text: `${name}-${i}` });
        record.acked.get(room.name)!.push(sent.seq);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'unknown';
        record.failed.set(code, (record.failed.get(code) ?? 0) + 1);
      }
      // Pacing the load generator (not a test wait): at most `perSecond` sends.
      const rest = interval - (Date.now() - started);
      if (rest > 0 && !stopped) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  })();
  return {
    client,
    record,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
