/** What a command prints: one JSON document with `--json`, else lines for a person. */
import type { ApiKeyCreated, AppCreated, AppList } from './operator.ts';

/** What a command prints, already shaped: its JSON document and its lines for a person. */
export interface Printed {
  readonly json: unknown;
  readonly text: readonly string[];
}

/** Columns padded to their widest cell, under a header row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A command's outcome, before it is printed. */
export type CommandResult =
  | { readonly kind: 'app created'; readonly app: AppCreated }
  | { readonly kind: 'apps listed'; readonly list: AppList }
  | { readonly kind: 'app deleted'; readonly appId: string }
  | { readonly kind: 'key created'; readonly appId: string; readonly key: ApiKeyCreated }
  | { readonly kind: 'key revoked'; readonly appId: string; readonly keyId: string }
  | { readonly kind: 'key rotated'; readonly appId: string; readonly revokedKeyId: string; readonly key: ApiKeyCreated }
  | ({ readonly kind: 'printed' } & Printed);

const SHOWN_ONCE = 'Keep the API key now: it is shown this once, and only its hash is stored.';

/** The JSON printed with `--json`: the REST response body where there is one. */
export function resultJson(result: CommandResult): unknown {
  switch (result.kind) {
    case 'app created':
      return result.app;
    case 'apps listed':
      return result.list;
    case 'app deleted':
      return { appId: result.appId, deleted: true };
    case 'key created':
      return { appId: result.appId, ...result.key };
    case 'key revoked':
      return { appId: result.appId, keyId: result.keyId, revoked: true };
    case 'key rotated':
      return { appId: result.appId, revokedKeyId: result.revokedKeyId, ...result.key };
    case 'printed':
      return result.json;
    default:
      return result satisfies never;
  }
}

/** The lines printed without `--json`. */
export function resultText(result: CommandResult): string[] {
  switch (result.kind) {
    case 'app created':
      return [
        `Created app ${quote(result.app.name)}`,
        `  app id   ${result.app.id}`,
        `  key id   ${result.app.keyId}`,
        `  API key  ${result.app.apiKey}`,
        SHOWN_ONCE,
      ];
    case 'apps listed':
      return listText(result.list);
    case 'app deleted':
      return [`Deleted app ${result.appId}`];
    case 'key created':
      return [`Added a key to app ${result.appId}`, `  key id   ${result.key.id}`, `  API key  ${result.key.apiKey}`, SHOWN_ONCE];
    case 'key revoked':
      return [`Revoked key ${result.keyId} of app ${result.appId}`];
    case 'key rotated':
      return [
        `Replaced key ${result.revokedKeyId} of app ${result.appId} (revoked)`,
        `  key id   ${result.key.id}`,
        `  API key  ${result.key.apiKey}`,
        SHOWN_ONCE,
      ];
    case 'printed':
      return [...result.text];
    default:
      return result satisfies never;
  }
}

function listText(list: AppList): string[] {
  if (list.items.length === 0) return ['No apps.'];
  return list.items.flatMap((app) => [
    `${app.id}  ${quote(app.name)}  created ${app.createdAt}`,
    ...(app.keys.length === 0
      ? ['    no live keys']
      : app.keys.map((key) => `    key ${key.id}  ${key.prefix}…  created ${key.createdAt}`)),
  ]);
}

/** A name as printed: JSON quoting escapes control characters, so a name cannot move the cursor or recolour the terminal. */
export function quote(name: string): string {
  return JSON.stringify(name);
}
