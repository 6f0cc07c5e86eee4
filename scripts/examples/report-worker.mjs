#!/usr/bin/env node
/**
 * A worker serving one app-defined job kind, `report`, beside `npm start`: it declares the kind
 * (its params and result JSON Schemas) over REST, then takes jobs over `/ws/worker` with the SDK's
 * `createWorker`, reports progress, and returns a result; a kill aborts its signal.
 *
 *   SWITCHBOARD_URL=http://127.0.0.1:8080 SWITCHBOARD_API_KEY=sk_… node scripts/examples/report-worker.mjs
 *
 * Then, on a user socket: {"action":"job.start","id":"1","payload":{"kind":"report","params":{"month":"2026-11"}}}
 * Plain JavaScript on the built packages (`npm run build`), so it runs with plain `node`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createRestClient, createWorker } from '@switchboard/sdk';

const { SWITCHBOARD_URL = 'http://127.0.0.1:8080', SWITCHBOARD_API_KEY } = process.env;
if (!SWITCHBOARD_API_KEY) {
  console.error('Set SWITCHBOARD_API_KEY to an API key of the app whose kind this worker serves.');
  process.exit(2);
}

const rest = createRestClient({ baseUrl: SWITCHBOARD_URL, apiKey: SWITCHBOARD_API_KEY });
await rest.jobKinds.put('report', {
  paramsSchema: { type: 'object', required: ['month'], properties: { month: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}$' } } },
  resultSchema: { type: 'object', required: ['url', 'rows'], properties: { url: { type: 'string' }, rows: { type: 'integer' } } },
  concurrency: 4,
  defaultTimeoutMs: 60_000,
});

const worker = createWorker({
  baseUrl: SWITCHBOARD_URL,
  apiKey: SWITCHBOARD_API_KEY,
  concurrency: 2,
  kinds: {
    report: async ({ month }, { signal, progress, jobId }) => {
      console.log(JSON.stringify({ msg: 'job', jobId, month }));
      for (let step = 1; step <= 4; step++) {
        await delay(250, undefined, { signal }); // rejects once the job is killed
        progress(step / 4, { step });
      }
      return { url: `https://reports.example.com/${month}.pdf`, rows: 1200 };
    },
  },
});
worker.on('state', (state) => console.log(JSON.stringify({ msg: 'worker', state: state.state })));
worker.on('error', ({ error }) => console.error(JSON.stringify({ msg: 'refused', code: error.code })));

const stop = () => void worker.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
await worker.ready();
console.log(JSON.stringify({ msg: 'worker ready', kinds: ['report'] }));
