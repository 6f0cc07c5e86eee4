/** Opens many sockets with a bounded number of handshakes in flight, bounded in time. */
import type { BenchSocket } from './drivers/index.ts';

/** What opening a batch of sockets gave. */
export interface OpenAllResult {
  sockets: BenchSocket[];
  opened: number;
  failed: number;
  /** Sockets not ready (or never started) when the time bound passed. */
  abandoned: number;
  /** From the first handshake to the last socket ready. */
  seconds: number;
  firstError: string | undefined;
}

/** Opens `count` sockets, at most `window` handshakes at a time; stops after `timeoutMs` with what is open by then. */
export function openAll(count: number, window: number, open: (index: number) => BenchSocket, timeoutMs: number): Promise<OpenAllResult> {
  const sockets: BenchSocket[] = [];
  const pending = new Set<BenchSocket>();
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
      // Handshakes still in flight at the bound must not add to what is measured next (RSS).
      for (const socket of pending) socket.close();
      resolve({ sockets, opened, failed, abandoned: count - opened - failed, seconds: (lastReady - started) / 1000, firstError });
    };
    const timer = setTimeout(finish, timeoutMs);
    const launch = () => {
      while (!finished && active < window && next < count) {
        const socket = open(next++);
        sockets.push(socket);
        pending.add(socket);
        active++;
        socket.ready
          .then(
            () => {
              if (finished) return;
              opened++;
              lastReady = performance.now();
            },
            (err: unknown) => {
              if (finished) return;
              failed++;
              firstError ??= err instanceof Error ? err.message : String(err);
            },
          )
          .finally(() => {
            pending.delete(socket);
            active--;
            if (opened + failed >= count) finish();
            else launch();
          });
      }
    };
    launch();
  });
}
