/**
 * Fails the test during which a server broke its specs. Each test file imports this module
 * afresh (through server.ts, or directly where a file starts servers only in child processes),
 * so the afterEach below runs after every test of the file: what the servers sent during the
 * test is judged in that test, shared servers (beforeAll) included.
 */
import { afterEach } from 'vitest';
import { openTaps } from './tap-registry.ts';

afterEach(() => {
  const found = [...openTaps].flatMap((tap) => tap.takeUnreported());
  if (found.length > 0) throw new Error(`the server broke its specs during this test:\n  ${found.join('\n  ')}`);
});
