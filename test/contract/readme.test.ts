/** The README documents exactly the configuration the server reads, and the two commands CI relies on. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from '@switchboard/server';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has a row for every configuration variable and none for a variable that does not exist', () => {
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(configVariables).sort());
  });

  it('shows the install-and-start command and the test command', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });
});
