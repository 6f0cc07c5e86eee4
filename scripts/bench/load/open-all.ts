/** Opens many sockets with a bounded number of handshakes in flight, bounded in time. */
import type { BenchSocket } from './drivers/index.ts';

/** What opening a batch of sockets gave. */
export interface OpenAllResult {
  sockets: BenchSocket[];
  opened: number;
  failed: number;
  /** From the first handshake to the last socket ready. */
  seconds: number;
  firstError: string | undefined;
}

/** Opens `count` sockets, at most `window` handshakes at a time; gives up on the rest after `timeoutMs`. */
export function openAll(count: number, window: number, open: (index: number) => BenchSocket, timeoutMs: number): Promise<OpenAllResult> {
  const sockets: BenchSocket[] = [];
  let next = 0;
  let active = 0;
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  let finished = false;
  const started = performance.now();
  let lastReady = started;
  return new Promise((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ sockets, opened, failed, seconds: (lastReady - started) / 1000, firstError });
    };
    const timer = setTimeout(() => {
      firstError ??= `gave up after ${timeoutMs} ms with ${count - opened - failed} sockets not ready`;
      failed = count - opened;
      finish();
    }, timeoutMs);
    const launch = () => {
      while (!finished && active < window && next < count) {
        const socket = open(next++);
        sockets.push(socket);
        active++;
        socket.ready.then(
          () => {
            opened++;
            lastReady = performance.now();
          },
          (err: unknown) => {
            failed++;
            firstError ??= err instanceof Error ? err.message : String(err);
          },
        ).finally(() => {
          active--;
          if (opened + failed >= count) finish();
          else launch();
        });
      }
    };
    launch();
  });
}
