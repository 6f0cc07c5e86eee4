/**
 * The README's curl and wscat examples, run as written against a live server: each `curl` line
 * through `sh` (only the host swapped for the test server's, and the values the README tells the
 * reader to copy, `KEY=sk_…` or `<code>`, filled in from the answers before), each `wscat` line's
 * frame sent to its URL. Every answer must be a success: a wrong path, header, body or frame in
 * the README fails here.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deadline } from '../helpers/deadline.ts';
import { startTestServer, TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { fencedBlocks, shellWords } from './doc-blocks.ts';

function sh(command: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// The README's blocks that talk to a server on localhost:8080 with curl.
const blocks = fencedBlocks('README.md').filter(
  (block) => block.language === 'sh' && block.lines.some((line) => /^curl .*localhost:8080/.test(line.text)),
);

describe("the README's curl and wscat examples", () => {
  it('are found (rooms and endpoints; users and chat)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it('work as written against a live server', { timeout: deadline(90_000) }, async () => {
    await using server = await startTestServer({ backend: 'embedded' });
    const host = new URL(server.url).host;
    // What the reader copies from one answer into the next command.
    const env: Record<string, string> = { ADMIN: TEST_ADMIN_TOKEN };
    const copied = new Map<string, string>();
    const fill = (text: string) =>
      [...copied].reduce((out, [placeholder, value]) => out.replaceAll(placeholder, value), text.replaceAll('localhost:8080', host));
    let ran = 0;
    for (const line of blocks.flatMap((block) => block.lines)) {
      const assignment = /^([A-Z]+)=\S+\s*(#.*)?$/.exec(line.text);
      if (assignment) {
        expect(Object.keys(env).concat('KEY'), `${line.where}: a variable the walkthrough fills in`).toContain(assignment[1]);
        continue;
      }
      if (line.text.startsWith('curl ')) {
        const run = await sh(fill(line.text), env);
        expect(run, `${line.where}: ${line.text}`).toMatchObject({ code: 0 });
        const answer = JSON.parse(run.stdout) as Record<string, unknown>;
        expect(answer, `${line.where}: ${line.text}`).not.toHaveProperty('error');
        if (typeof answer.apiKey === 'string') {
          env.KEY = answer.apiKey;
          copied.set('<app id>', String(answer.id));
        }
        if (typeof answer.code === 'string') copied.set('<code>', answer.code);
        if (typeof answer.accessToken === 'string') copied.set('<accessToken>', answer.accessToken);
        ran++;
      } else if (line.text.startsWith('npx --yes wscat ')) {
        const words = shellWords(fill(line.text));
        // Non-interactive, as the README promises: one frame (-x), then a wait (-w) and exit.
        expect(words, line.where).toEqual(expect.arrayContaining(['-c', '-x', '-w']));
        const url = words[words.indexOf('-c') + 1]!;
        expect(url, `${line.where}: every placeholder filled`).not.toMatch(/[<>]/);
        const frame = JSON.parse(words[words.indexOf('-x') + 1]!) as { id: string };
        await using socket = await openSocket(url);
        socket.send(frame);
        const answer = await socket.next((f) => f.ref === frame.id || f.action === 'error', `the answer to ${line.where}`);
        expect(answer, `${line.where}: ${JSON.stringify(frame)}`).not.toHaveProperty('error');
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(9);
  });
});
