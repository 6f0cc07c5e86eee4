/** What the services are built from, and what they share once built. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { PresenceStore } from '../presence/index.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import type { TokenIssuer } from '../auth/tokens.ts';
import type { DomainEvents } from './events.ts';
import type { CredentialCache } from './credential-cache.ts';
import type { RoomCache } from './room-cache.ts';

/** The stores and ports `createServices` takes; the composition root builds each once. */
export interface ServiceDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  presence: PresenceStore;
  sequences: SequenceSource;
  tokens: TokenIssuer;
}

/** The deps plus the caches the services share; internal to services/. */
export interface ServiceContext extends ServiceDeps {
  roomCache: RoomCache;
  credentials: CredentialCache;
}
