/** What the services are built from, and what they share once built. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { PresenceStore } from '../presence/index.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import type { TokenIssuer } from '../auth/tokens.ts';
import type { Logger } from '../lib/logger.ts';
import type { DomainEvents } from './events.ts';
import type { CredentialCache } from './credential-cache.ts';
import type { RoomCache } from './room-cache.ts';
import type { JobRuntime } from '../jobs/job-runtime.ts';
import type { BlockCounter, CountQuotas } from '../limits/index.ts';

/** Per-app quotas: how many rooms, endpoints and users an app may hold, and its messages per minute. */
export interface AppQuotas {
  counts: CountQuotas;
  messages: BlockCounter;
}
import type { AppJobs } from '../jobs/app-workers.ts';
import type { AppKinds } from '../jobs/app-kinds.ts';

/** The stores and ports `createServices` takes; the composition root builds each once. */
export interface ServiceDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  presence: PresenceStore;
  sequences: SequenceSource;
  tokens: TokenIssuer;
  /** This node's jobs (built before the services: rest.request needs the app the services serve); absent in a process that runs none (the direct emitter). */
  jobs?: JobRuntime;
  /** The kinds apps declare, and this node's side of their workers; absent where no jobs run. */
  appKinds?: AppKinds;
  appJobs?: AppJobs;
  /** For what a service handles without failing the request (never payloads or secrets). */
  log: Logger;
  /** The most bytes of stored messages one socket reply carries (see reply-budget.ts). */
  replyBytes: number;
  /** Per-app quotas; absent (a process that creates nothing, like the direct emitter) means none. */
  quotas?: AppQuotas;
}

/** The deps plus the caches the services share; internal to services/. */
export interface ServiceContext extends ServiceDeps {
  roomCache: RoomCache;
  credentials: CredentialCache;
}
