/**
 * The embedded database's thread. PGlite runs Postgres compiled to WebAssembly, and a query runs
 * synchronously from start to end: on the server's thread one heavy write held every socket's
 * frames behind it (a heavy writer pushed other clients' ping p99 to 2.4 s). Here it runs beside
 * the event loop; pglite-thread.ts is the other end and holds the message types.
 *
 * Plain JavaScript on purpose: Node 20 cannot load a TypeScript worker through tsx's hooks, and
 * this file must run the same from the sources and from dist/ (the build copies it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

/** An error as it crosses threads: Postgres's fields (`code` is the SQLSTATE) kept as they are. */
function serialize(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return fields;
}

async function main(port, data) {
  const pglite = await PGlite.create({
    dataDir: data.dataDir,
    ...(data.loadDataDir === undefined ? {} : { loadDataDir: data.loadDataDir }),
    // Both engines return the same JS types: int8 (`seq`, `count(*)`) as a number, far below 2^53.
    parsers: { [types.INT8]: (value) => Number(value) },
  });
  port.on('message', async (request) => {
    try {
      if (request.op === 'query') {
        const result = await pglite.query(request.sql, request.params, { rowMode: 'object' });
        port.postMessage({ id: request.id, result: { rows: result.rows, command: result.command, affectedRows: result.affectedRows } });
      } else if (request.op === 'dump') {
        port.postMessage({ id: request.id, result: await pglite.dumpDataDir(request.compression) });
      } else {
        await pglite.close();
        port.postMessage({ id: request.id, result: null });
        port.close();
      }
    } catch (error) {
      port.postMessage({ id: request.id, error: serialize(error) });
    }
  });
  port.postMessage({ ready: true });
}

main(parentPort, workerData).catch((error) => parentPort.postMessage({ ready: false, error: serialize(error) }));
