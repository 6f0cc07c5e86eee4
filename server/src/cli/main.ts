/**
 * `switchboard`: the operator CLI's entry point, the only CLI file that touches `process`.
 * Usage is in help.ts (`switchboard help`).
 */
import { runCli } from './run.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
});
