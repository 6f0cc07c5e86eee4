/**
 * The `jobs` scenario: user sockets start jobs of an app-defined kind that one SDK worker
 * (`createWorker`) serves over `/ws/worker`, reporting one progress and then its result; the same
 * round trip is then made as a plain REST call, an HTTP POST to a node:http server doing the same
 * work (read the params, answer the result). Both are closed loops with the same number of
 * requests in flight; latency is start to first `job.progress` and start to `job.finished` (REST:
 * request to response), on this process's clock. The worker, the user sockets, the REST server
 * and its client all run in the runner process; Switchboard in its own.
 */
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { createWorker } from '@switchboard/sdk';
import { LatencyHistogram, type LatencySummary } from '../load/histogram.ts';
import { post, stringField } from '../load/drivers/switchboard.ts';
import { toWsUrl } from '../load/drivers/ws-socket.ts';
import type { Deployment } from './deployment.ts';

/** How big the scenario is. */
export interface JobsSizes {
  /** User sockets, each its own user. */
  users: number;
  /** Jobs (or REST requests) each user keeps in flight. */
  window: number;
  warmupMs: number;
  /** Each measured phase. */
  phaseMs: number;
}

/** What one path (jobs or REST) did in its closed loop. */
export interface JobsPhase {
  completed: number;
  perSec: number;
  /** Start to first `job.progress` (jobs only). */
  firstProgress: LatencySummary | undefined;
  /** Start to `job.finished`, or request to response. */
  finished: LatencySummary;
  /** Jobs that did not finish `succeeded` (or REST answers that were not 200). */
  errors: number;
}

/** The scenario's two closed loops. */
export interface JobsRun {
  jobs: JobsPhase;
  rest: JobsPhase;
}

const KIND = 'bench.echo';
const PARAMS = { n: 1, text: 'hello' };

/** Runs a closed loop: `lanes` × `window` calls in flight, warm-up first; each call resolves with its outcome. */
async function closedLoop(
  sizes: JobsSizes,
  lanes: number,
  call: (lane: number, measuring: () => boolean) => Promise<boolean>,
): Promise<{ completed: number; errors: number; elapsedMs: number }> {
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let completed = 0;
  let errors = 0;
  let startedAt = 0;
  const measuring = () => phase === 'measure';
  const loop = async (lane: number) => {
    while (phase !== 'done') {
      const ok = await call(lane, measuring);
      // Throughput counts what completes within the phase, whenever it started: a round trip may outlast a short phase.
      if (phase === 'measure') {
        completed++;
        if (!ok) errors++;
      }
    }
  };
  const running = Array.from({ length: lanes * sizes.window }, (_, index) => loop(index % lanes));
  await new Promise((resolve) => setTimeout(resolve, sizes.warmupMs));
  phase = 'measure';
  startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, sizes.phaseMs));
  const elapsedMs = performance.now() - startedAt;
  phase = 'done';
  await Promise.all(running);
  return { completed, errors, elapsedMs };
}

interface Pending {
  startedAt: number;
  measured: boolean;
  progressed: boolean;
  resolve(ok: boolean): void;
}

/** A user socket that starts jobs and settles each on its `job.finished`. */
class JobSocket {
  readonly #ws: WebSocket;
  readonly #byRef = new Map<string, Pending>();
  readonly #byJob = new Map<string, Pending>();
  readonly #firstProgress: LatencyHistogram;
  readonly #finished: LatencyHistogram;
  #next = 0;

  constructor(ws: WebSocket, firstProgress: LatencyHistogram, finished: LatencyHistogram) {
    this.#ws = ws;
    this.#firstProgress = firstProgress;
    this.#finished = finished;
    ws.on('message', (data: Buffer) => this.#frame(JSON.parse(data.toString()) as Frame));
    ws.on('close', () => {
      for (const pending of [...this.#byRef.values(), ...this.#byJob.values()]) pending.resolve(false);
    });
  }

  start(measured: boolean): Promise<boolean> {
    if (this.#ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    const ref = String(this.#next++);
    return new Promise((resolve) => {
      this.#byRef.set(ref, { startedAt: performance.now(), measured, progressed: false, resolve });
      this.#ws.send(JSON.stringify({ action: 'job.start', id: ref, payload: { kind: KIND, params: PARAMS } }));
    });
  }

  #frame(frame: Frame): void {
    const now = performance.now();
    if (frame.action === 'job.start' && frame.ref !== undefined) {
      const pending = this.#byRef.get(frame.ref);
      this.#byRef.delete(frame.ref);
      if (!pending) return;
      const jobId = frame.payload?.jobId;
      if (frame.error || typeof jobId !== 'string') return pending.resolve(false);
      this.#byJob.set(jobId, pending);
      return;
    }
    const jobId = frame.payload?.jobId;
    if (typeof jobId !== 'string' || frame.ref !== undefined) return;
    const pending = this.#byJob.get(jobId);
    if (!pending) return;
    const us = (now - pending.startedAt) * 1000;
    if (frame.action === 'job.progress' && !pending.progressed) {
      pending.progressed = true;
      if (pending.measured) this.#firstProgress.record(us);
    } else if (frame.action === 'job.finished') {
      this.#byJob.delete(jobId);
      if (pending.measured) this.#finished.record(us);
      pending.resolve(frame.payload?.status === 'succeeded');
    }
  }

  close(): void {
    this.#ws.close();
  }
}

interface Frame {
  action?: string;
  ref?: string;
  payload?: { jobId?: unknown; status?: unknown };
  error?: unknown;
}

function openUserSocket(url: string, firstProgress: LatencyHistogram, finished: LatencyHistogram): Promise<JobSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    // Ready once greeted: `welcome` follows `connected` on a socket opened with a token.
    ws.on('message', function greeted(data: Buffer) {
      if (!data.toString().startsWith('{"action":"welcome"')) return;
      ws.off('message', greeted);
      resolve(new JobSocket(ws, firstProgress, finished));
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`user socket closed ${code} before its welcome`)));
  });
}

async function put(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`PUT ${new URL(url).pathname} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

/** The jobs through Switchboard and an app worker. */
async function measureJobs(deployment: Deployment, adminToken: string, sizes: JobsSizes): Promise<JobsPhase> {
  const base = deployment.publishUrl;
  const app = await post(`${base}/v1/apps`, { authorization: `Bearer ${adminToken}` }, { name: `bench-jobs-${Date.now()}` });
  const apiKey = stringField(app, 'apiKey');
  const auth = { 'api-key': apiKey };
  const inFlight = sizes.users * sizes.window;
  await put(`${base}/v1/job-kinds/${KIND}`, auth, {
    paramsSchema: { type: 'object', required: ['n'] },
    resultSchema: { type: 'object', required: ['echo'] },
    concurrency: Math.min(10_000, inFlight),
  });
  const worker = createWorker({
    baseUrl: base,
    apiKey,
    concurrency: Math.min(1_000, inFlight),
    kinds: {
      [KIND]: async (params: unknown, { progress }: { progress: (value: number) => void }) => {
        progress(0.5);
        return { echo: params };
      },
    },
  });
  const firstProgress = new LatencyHistogram();
  const finished = new LatencyHistogram();
  const sockets: JobSocket[] = [];
  try {
    await worker.ready();
    for (let index = 0; index < sizes.users; index++) {
      const user = await post(`${base}/v1/users`, auth, { username: `jobs-${index}` });
      const minted = await post(`${base}/v1/users/${stringField(user, 'id')}/tokens`, auth, { expiresIn: 3_600 });
      const token = encodeURIComponent(stringField(minted, 'accessToken'));
      sockets.push(await openUserSocket(`${toWsUrl(base)}/ws?token=${token}`, firstProgress, finished));
    }
    const loop = await closedLoop(sizes, sizes.users, (lane, measuring) => sockets[lane]!.start(measuring()));
    return {
      completed: loop.completed,
      perSec: (loop.completed / loop.elapsedMs) * 1000,
      firstProgress: firstProgress.summary(),
      finished: finished.summary(),
      errors: loop.errors,
    };
  } finally {
    for (const socket of sockets) socket.close();
    await worker.close();
  }
}

/** The same round trip as a plain REST call: POST the params, get the result. */
async function measureRest(sizes: JobsSizes): Promise<JobsPhase> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params: unknown = JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: params }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: sizes.users * sizes.window });
  const finished = new LatencyHistogram();
  const body = JSON.stringify(PARAMS);
  const call = (measured: boolean) =>
    new Promise<boolean>((resolve) => {
      const startedAt = performance.now();
      const req = request(
        { host: '127.0.0.1', port, path: '/jobs', method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (measured) finished.record((performance.now() - startedAt) * 1000);
            resolve(res.statusCode === 200);
          });
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
  try {
    const loop = await closedLoop(sizes, sizes.users, (_lane, measuring) => call(measuring()));
    return {
      completed: loop.completed,
      perSec: (loop.completed / loop.elapsedMs) * 1000,
      firstProgress: undefined,
      finished: finished.summary(),
      errors: loop.errors,
    };
  } finally {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Both closed loops, the jobs first. */
export async function runJobsScenario(deployment: Deployment, adminToken: string, sizes: JobsSizes): Promise<JobsRun> {
  const jobs = await measureJobs(deployment, adminToken, sizes);
  const rest = await measureRest(sizes);
  return { jobs, rest };
}
