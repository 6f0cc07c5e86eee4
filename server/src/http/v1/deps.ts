/** What the /v1 routes are built from. */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { AdminTokenSetup } from '../../auth/admin-token.ts';
import type { PresenceStore } from '../../presence/index.ts';
import type { DomainEvents } from '../../services/events.ts';
import type { TokenIssuer } from '../../auth/tokens.ts';
import type { RoomCache } from '../../services/room-cache.ts';
import type { SequenceSource } from '../../sequences/sequence-source.ts';

/** Dependencies of the REST API. */
export interface RestDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  presence: PresenceStore;
  adminToken: AdminTokenSetup;
  tokens: TokenIssuer;
  sequences: SequenceSource;
  rooms: RoomCache;
}
