/** The operations the CLI performs, the same whether a server or the database carries them out. */
import type { components } from '@switchboard/protocol/openapi';

type Schemas = components['schemas'];

/** An app just created: its first key is in clear, this once. */
export type AppCreated = Schemas['AppCreated'];
/** Every app with its live keys. */
export type AppList = Schemas['AppList'];
/** A key just added: in clear, this once. */
export type ApiKeyCreated = Schemas['ApiKeyCreated'];

/**
 * Apps and their keys, with the REST API's shapes, so `--json` prints what the API returns
 * whichever target runs it. Failures throw an error carrying a catalog `code`.
 */
export interface AppsOperator {
  createApp(name: string): Promise<AppCreated>;
  listApps(): Promise<AppList>;
  deleteApp(appId: string): Promise<void>;
  createKey(appId: string): Promise<ApiKeyCreated>;
  revokeKey(appId: string, keyId: string): Promise<void>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** Says something the operator should know that is not the command's result (stderr). */
export type Note = (line: string) => void;
