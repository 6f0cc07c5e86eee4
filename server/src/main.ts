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
    process.stdout.write(
      `  operator token (shown once, keep it): ${server.adminToken.token}\n  e.g. curl -X POST ${server.url}/v1/apps -H 'Authorization: Bearer <token>' -H 'content-type: application/json' -d '{"name":"my-app"}'\n\n`,
    );
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
  // A graceful close (sockets told, stores flushed) within a deadline; a second signal or a
  // stuck close exits at once, so a supervisor's stop never hangs.
  const CLOSE_DEADLINE_MS = 10_000;
  let closing = false;
  const stop = (signal: string) => {
    if (closing) {
      process.stdout.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    closing = true;
    process.stdout.write(`${signal}: closing\n`);
    setTimeout(() => {
      console.error(`close did not finish within ${CLOSE_DEADLINE_MS} ms: exiting`);
      process.exit(1);
    }, CLOSE_DEADLINE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (process.env.npm_lifecycle_event !== undefined) {
    // Package managers run a script through `sh -c` and pass a signal to the shell only; unless
    // the script `exec`s, the shell dies and this process is orphaned. Leaving with the script
    // runner keeps `npm start` (and `npm run` wrappers) stoppable whatever the script says.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('parent exited');
    }, 500).unref();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
