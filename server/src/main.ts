/**
 * `npm start`: the only place that reads the environment. Starts one node and stops it cleanly
 * on SIGINT/SIGTERM.
 */
import { ConfigError, parseConfig } from './config.ts';
import { startServer } from './server.ts';
import { writeFirstStartSecrets } from './first-start-secrets.ts';

// Owner-only by default: the data folder and everything the server writes into it.
process.umask(0o077);

try {
  const config = parseConfig(process.env);
  const server = await startServer({ config });
  const where = config.databaseUrl ? 'Postgres' : `embedded PGlite in ${config.dataDir}`;
  const channels = config.redisUrl ? (config.redisCluster ? 'Redis Cluster' : 'Redis') : 'in-process channels';
  process.stdout.write(
    `\nSwitchboard ${server.node} is listening\n  REST      ${server.url}  (try ${server.url}/healthz)\n  WebSocket ${server.wsUrl}/ws\n  pages     ${server.url}/ (chat)  ${server.url}/console  ${server.url}/playground  ${server.url}/docs\n  storage   ${where}; ${channels}\n\n`,
  );
  const secrets = await writeFirstStartSecrets(config.dataDir, server);
  if (secrets !== undefined) {
    // Never the secrets themselves: terminals and log collectors keep what is printed.
    const what = [
      server.adminToken.kind === 'generated' ? 'the operator token' : '',
      server.demo ? "the demo app's API key and passwords" : '',
    ]
      .filter(Boolean)
      .join(', ');
    const chat = server.demo ? `\n  chat in a browser: ${server.url}/?app=${server.demo.appId}` : '';
    process.stdout.write(`  first start: ${what} written to ${secrets} (readable only by you)${chat}\n\n`);
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
