// The contract tap inside a server child process (`node --import` this file, with
// SWITCHBOARD_CONTRACT_REPORT naming a file; process-tap.ts sets both). It subscribes to the
// channels a server publishes its frames, closes, refusals and responses on when nothing passed
// it `inspect` (server/src/lib/inspect-channels.ts; process-tap.ts checks the names match), runs
// the checks of contract.ts on each and appends what breaks the specs to the file, one JSON line
// each, synchronously: the line is written before the frame or response leaves the process, and
// a SIGKILL loses nothing. Plain JavaScript, so it loads in any node; the checker itself is
// TypeScript, loaded through tsx's tsImport, which leaves the server's own modules untouched.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';

const file = process.env.SWITCHBOARD_CONTRACT_REPORT;
const KINDS = ['frame', 'close', 'refusal', 'response'];

if (file) {
  const write = (line) => appendFileSync(file, `${JSON.stringify({ pid: process.pid, ...line })}\n`);
  let inspector;
  let active = false;
  // Events before the checker has loaded (it loads while the server opens its stores) wait here.
  const queue = [];
  const apply = (kind, m) => {
    if (kind === 'frame') inspector.frame(m.route, m.frame);
    else if (kind === 'close') inspector.close(m.route, m.code, m.reason);
    else if (kind === 'refusal') inspector.refusal(m.path, m.status, m.body);
    else inspector.response(m.method, m.path, m.status, m.body);
  };
  // Subscribed now, before the server starts: it looks for subscribers once, at start.
  for (const kind of KINDS) {
    subscribe(`switchboard:${kind}`, (message) => {
      if (!active) {
        active = true;
        write({ active: true });
      }
      if (inspector) apply(kind, message);
      else queue.push([kind, message]);
    });
  }
  import('tsx/esm/api')
    .then(({ tsImport }) => tsImport('./contract.ts', import.meta.url))
    .then(
      ({ createInspector }) => {
        inspector = createInspector((violation) => write({ violation }));
        for (const [kind, message] of queue.splice(0)) apply(kind, message);
      },
      (error) => write({ violation: `the contract tap could not load its checker: ${error?.stack ?? error}` }),
    );
}
