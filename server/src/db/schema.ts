import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

/** Any value a `jsonb` column can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What an endpoint may do in its room. */
export type EndpointPermissions = 'read' | 'write' | 'readwrite';

/** Who sent a message. */
export type SenderType = 'endpoint' | 'user' | 'app';

/** Set by the database on insert, never written afterwards. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

/** A nullable timestamp that code sets explicitly (revocation, edit, deletion). */
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Stored as `jsonb`; written as JSON text because `pg` would encode a JS array as a Postgres array. */
type JsonColumn = ColumnType<JsonValue | null, string | null | undefined, string | null>;

/** `apps`: a tenant; owns everything else. */
export interface AppTable {
  id: string;
  name: string;
  created_at: CreatedAt;
}

/** `api_keys`: an app's REST credentials, stored only as a hash. */
export interface ApiKeyTable {
  id: string;
  app_id: string;
  prefix: string;
  hash: string;
  created_at: CreatedAt;
  revoked_at: NullableTimestamp;
}

/** `rooms`: named per app; `last_seq` is the last message number handed out. */
export interface RoomTable {
  id: string;
  app_id: string;
  name: string;
  title: string | null;
  staff_only: Generated<boolean>;
  history: Generated<boolean>;
  last_seq: Generated<number>;
  /** True when `last_seq` is a ceiling reserved ahead of a counter kept in Redis (rooms without history), not the exact last number. */
  seq_reserved: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** `endpoints`: a secret code (stored as a hash) that joins one room with fixed permissions. */
export interface EndpointTable {
  id: string;
  app_id: string;
  room_id: string;
  code_hash: string;
  permissions: EndpointPermissions;
  identity: string;
  created_at: CreatedAt;
  /** When the code stops working; null: never. */
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** `users`: an app's people; `password_hash` is null for users that only get tokens minted. */
export interface UserTable {
  id: string;
  app_id: string;
  username: string;
  password_hash: string | null;
  staff: Generated<boolean>;
  created_at: CreatedAt;
  display_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** Tokens issued (`iat`) before this are refused: "sign out everywhere". */
  tokens_valid_after: NullableTimestamp;
}

/** `messages`: persisted room messages, numbered per room by `seq`. */
export interface MessageTable {
  id: string;
  room_id: string;
  seq: number;
  sender_type: SenderType;
  sender_id: string | null;
  sender_name: string;
  /** A user sender's display name when the message was sent; null for none and for other senders. */
  sender_display_name: ColumnType<string | null, string | null | undefined, never>;
  text: string | null;
  data: JsonColumn;
  /** `<sender type>:<sender>:<clientId>` of a send that carried a client id, unique per room; else null. */
  client_key: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
}

/** `settings`: server-wide values every node shares. */
export interface SettingTable {
  key: string;
  value: string;
  created_at: CreatedAt;
}

/** `jobs`: a running job; the row is deleted when the job finishes. */
export interface JobTable {
  id: string;
  app_id: string;
  user_id: string;
  job_id: string;
  kind: string;
  node: string;
  detach: boolean;
  started_at: ColumnType<Date, Date | string, never>;
  deadline_at: ColumnType<Date, Date | string, never>;
  /** A kind the app declared, served by its workers (params kept here for them). */
  app_kind: Generated<boolean>;
  params: JsonColumn;
  /** The worker socket (connection id) the job was given to; null while it waits in the queue. */
  worker: ColumnType<string | null, string | null | undefined, string | null>;
  worker_node: ColumnType<string | null, string | null | undefined, string | null>;
  /** How many workers it was given to: 2 means the retry after a worker disconnected. */
  attempts: Generated<number>;
}

/** `job_kinds`: a kind an app declared for its workers. */
export interface JobKindTable {
  app_id: string;
  name: string;
  params_schema: ColumnType<JsonValue, string, string>;
  result_schema: ColumnType<JsonValue, string, string>;
  concurrency: number;
  default_timeout_ms: number;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** `job_workers`: a worker socket serving some of its app's kinds. */
export interface JobWorkerTable {
  connection_id: string;
  app_id: string;
  node: string;
  kinds: ColumnType<string[], string, string>;
  concurrency: number;
  created_at: CreatedAt;
}

/** `job_nodes`: each node's lease, renewed while it runs. */
export interface JobNodeTable {
  node: string;
  seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Every table, as Kysely sees the database. */
export interface Database {
  settings: SettingTable;
  apps: AppTable;
  api_keys: ApiKeyTable;
  rooms: RoomTable;
  endpoints: EndpointTable;
  users: UserTable;
  messages: MessageTable;
  jobs: JobTable;
  job_nodes: JobNodeTable;
  job_kinds: JobKindTable;
  job_workers: JobWorkerTable;
}

/** What repositories accept: the database or an open transaction on it. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** A stored app. */
export type App = Selectable<AppTable>;
/** A new app row. */
export type NewApp = Insertable<AppTable>;
/** A stored API key. */
export type ApiKey = Selectable<ApiKeyTable>;
/** A new API key row. */
export type NewApiKey = Insertable<ApiKeyTable>;
/** A stored room. */
export type Room = Selectable<RoomTable>;
/** A new room row. */
export type NewRoom = Insertable<RoomTable>;
/** Changes to a room row. */
export type RoomUpdate = Updateable<RoomTable>;
/** A stored endpoint. */
export type Endpoint = Selectable<EndpointTable>;
/** A new endpoint row. */
export type NewEndpoint = Insertable<EndpointTable>;
/** A stored user. */
export type User = Selectable<UserTable>;
/** A new user row. */
export type NewUser = Insertable<UserTable>;
/** Changes to a user row. */
export type UserUpdate = Updateable<UserTable>;
/** A stored message. */
export type Message = Selectable<MessageTable>;
/** A new message row. */
export type NewMessage = Insertable<MessageTable>;
/** Changes to a message row. */
export type MessageUpdate = Updateable<MessageTable>;
/** A running job's row. */
export type Job = Selectable<JobTable>;
/** A new job row. */
export type NewJob = Insertable<JobTable>;
/** A kind an app declared. */
export type JobKindRow = Selectable<JobKindTable>;
/** A worker socket serving kinds. */
export type JobWorker = Selectable<JobWorkerTable>;
