/**
 * Every `switchboard …` command the README and docs/*.md show is one the CLI accepts: each is
 * parsed by the CLI's own parser (placeholders such as `<appId>` filled in), so a renamed
 * command, a dropped flag or a missing argument in the docs fails here.
 */
import { parseArguments } from '@switchboard/server/testing';
import { describe, expect, it } from 'vitest';
import { docFiles, fencedBlocks, inlineSpans, shellWords, type DocLine } from './doc-blocks.ts';

// `switchboard` typed first (or through npx), or an installed bin by its path (systemd units, sudo).
const IN_BLOCK = [/^(?:npx (?:--no-install )?)?switchboard (.*)$/, /(?:^|[\s=])\S*\/\.bin\/switchboard (.*)$/];
const IN_SPAN = [/^(?:\S+=)?(?:npx )?switchboard (.*)$/];

/** The CLI arguments of a docs line, or undefined when it runs no `switchboard` command. */
function cliArguments(line: DocLine): string[] | undefined {
  const match = (line.block ? IN_BLOCK : IN_SPAN).map((pattern) => pattern.exec(line.text)).find(Boolean);
  if (!match) return undefined;
  const command = match[1]!
    .replace(/\s+#.*$/, '') // a comment
    .replace(/\s*<<<.*$/, '') // a here-string (the password)
    .replace(/\$\([^)]*\)/g, 'x'); // a command substitution in a file name
  // `switchboard apps ...` and `switchboard <command> --help` name a group or any command: not one to parse.
  if (/\.\.\.|…|<command>/.test(command)) return undefined;
  return shellWords(command).map((word) => word.replace(/<([^>]+)>/g, '$1-1'));
}

const lines = docFiles.flatMap((file) => [...fencedBlocks(file).flatMap((block) => block.lines), ...inlineSpans(file)]);
const commands = lines.flatMap((line) => {
  const args = cliArguments(line);
  return args === undefined ? [] : [{ where: line.where, text: line.text, args }];
});

describe('the CLI commands in the docs', () => {
  it('finds the examples (README, docs/deploy.md, docs/migrating.md)', () => {
    expect(commands.length).toBeGreaterThan(15);
    expect(new Set(commands.map((c) => c.where.split(':')[0]))).toEqual(new Set(['README.md', 'docs/deploy.md', 'docs/migrating.md']));
  });

  it.each(commands.map((c) => [c.where, c.text, c.args] as const))('%s: %s parses', (_where, _text, args) => {
    expect(() => parseArguments(args)).not.toThrow();
  });
});
