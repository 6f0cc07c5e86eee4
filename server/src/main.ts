/**
 * `npm start`: the only place that reads the environment. Starts one node and stops it cleanly
 * on SIGINT/SIGTERM.
 */
import { ConfigError, parseConfig } from './config.ts';
import { startServer } from './server.ts';

try {
  const config = parseConfig(process.env);
  const server = await startServer({ config });
  const where = config.databaseUrl ? 'Postgres' : `embedded PGlite in ${config.dataDir}`;
  const channels = config.redisUrl ? 'Redis' : 'in-process channels';
  process.stdout.write(
    `\nSwitchboard ${server.node} is listening\n  REST      ${server.url}  (try ${server.url}/healthz)\n  WebSocket ${server.wsUrl}/ws\n  pages     ${server.url}/ (chat)  ${server.url}/playground  ${server.url}/docs\n  storage   ${where}; ${channels}\n\n`,
  );
  if (server.adminToken.kind === 'generated') {
    // Shown this once: only its hash is kept (in the data folder).
    process.stdout.write(`  operator token (shown once, keep it): ${server.adminToken.token}\n  e.g. curl -X POST ${server.url}/v1/apps -H 'Authorization: Bearer <token>' -H 'content-type: application/json' -d '{"name":"my-app"}'\n\n`);
  }
  if (server.demo) {
    const { appId, apiKey, users, rooms } = server.demo;
    const lines = [
      `  demo app ${appId} (rooms: ${rooms.join(', ')}); its API key, shown once: ${apiKey}`,
      `  chat in a browser: ${server.url}/?app=${appId}  (sign in as one of these users)`,
      ...users.map((u) => `    user ${u.username}${u.staff ? ' (staff)' : ''}, password ${u.password}`),
      `  sign in: curl -X POST ${server.url}/v1/auth/token -H 'content-type: application/json' -d '{"app":"${appId}","username":"bob","password":"<password>"}'`,
      `  then:    npx wscat -c '${server.wsUrl}/ws?token=<accessToken>'  and send {"action":"chat.join","id":"1","payload":{"room":"lobby"}}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n\n`);
  }
  const stop = (signal: string) => {
    process.stdout.write(`${signal}: closing\n`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
