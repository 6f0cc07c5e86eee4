/**
 * Reads the shell examples out of the README and docs/*.md: the fenced `sh` blocks (continuation
 * lines joined) and inline code spans, with the file and line each came from, so a test can run
 * or parse them as a new user would type them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One command line of the docs. */
export interface DocLine {
  readonly where: string;
  readonly text: string;
  /** Whether it came from a fenced block (else an inline code span). */
  readonly block: boolean;
}

/** The Markdown files a new user reads. */
export const docFiles: readonly string[] = [
  'README.md',
  ...readdirSync(`${root}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The fenced blocks of `file` (any language), each as its commands, continuation lines joined. */
export function fencedBlocks(file: string): { where: string; language: string; lines: DocLine[] }[] {
  const lines = readFileSync(`${root}${file}`, 'utf8').split('\n');
  const blocks: { where: string; language: string; lines: DocLine[] }[] = [];
  let current: { where: string; language: string; lines: DocLine[] } | undefined;
  let pending = '';
  let pendingAt = 0;
  lines.forEach((line, index) => {
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      if (current) blocks.push(current);
      current = current ? undefined : { where: `${file}:${index + 1}`, language: fence[1] ?? '', lines: [] };
      return;
    }
    if (!current) return;
    if (pending === '') pendingAt = index + 1;
    pending += line.trim();
    if (pending.endsWith('\\')) {
      pending = `${pending.slice(0, -1).trimEnd()} `;
      return;
    }
    current.lines.push({ where: `${file}:${pendingAt}`, text: pending, block: true });
    pending = '';
  });
  return blocks;
}

/** Every inline code span of `file`, outside fenced blocks. */
export function inlineSpans(file: string): DocLine[] {
  const spans: DocLine[] = [];
  let fenced = false;
  readFileSync(`${root}${file}`, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (/^\s*```/.test(line)) fenced = !fenced;
      if (fenced) return;
      for (const match of line.matchAll(/`([^`]+)`/g)) spans.push({ where: `${file}:${index + 1}`, text: match[1]!, block: false });
    });
  return spans;
}

/** Splits a shell command into words, honouring single and double quotes (enough for the docs' examples). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word = (word ?? '') + char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}
