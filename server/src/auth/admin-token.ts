/**
 * The operator token that manages apps. `ADMIN_TOKEN` wins; on embedded defaults without it, a
 * token is generated on first start, its hash kept in the data folder, and the token printed
 * once. With Postgres and no `ADMIN_TOKEN`, operator routes are off (every call answers 401).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSecret, randomSecret } from './secrets.ts';

/** How the operator token was set up at start. */
export type AdminTokenSetup =
  | { kind: 'configured'; hash: string }
  | { kind: 'generated'; hash: string; token: string; file: string }
  | { kind: 'stored'; hash: string; file: string }
  | { kind: 'disabled' };

/** Resolves the operator token; generates and stores one on embedded defaults. */
export async function setupAdminToken(options: {
  adminToken: string | undefined;
  embedded: boolean;
  dataDir: string;
}): Promise<AdminTokenSetup> {
  if (options.adminToken) return { kind: 'configured', hash: hashSecret(options.adminToken) };
  if (!options.embedded) return { kind: 'disabled' };
  const file = join(options.dataDir, 'admin-token.sha256');
  const stored = await readFile(file, 'utf8').catch(() => undefined);
  if (stored && /^[0-9a-f]{64}\s*$/.test(stored)) return { kind: 'stored', hash: stored.trim(), file };
  const token = randomSecret('adm_');
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${hashSecret(token)}\n`, { mode: 0o600 });
  return { kind: 'generated', hash: hashSecret(token), token, file };
}
