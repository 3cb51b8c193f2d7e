import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { TokenPool } from './fresh-tokens.js';
import type { LoadRequest, LoadResult } from './load.js';

/**
 * The load generator's thread: autocannon runs here, so firing requests never shares the app's
 * event loop. It records every response's latency itself (autocannon's histogram keeps whole
 * milliseconds) and hands out the fresh tokens, each once.
 */
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonInstance extends Promise<{
  duration: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}

const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests: AutocannonRequest[];
}) => AutocannonInstance;

/** Batches of distinct tokens, in minting order (see fresh-tokens.ts). */
const pools: TokenPool[] = [];
let tokenCount = 0;
/** Next unused token per stream: the app's stream never goes back, a baseline's restarts each run. */
const cursors = new Map<string, number>();

function nextToken(stream: string, wraps: boolean): string {
  let i = cursors.get(stream) ?? 0;
  if (i >= tokenCount) {
    if (!wraps || tokenCount === 0) return 'exhausted.token-pool.bench'; // a visible 401, never a silent repeat
    i = 0;
  }
  cursors.set(stream, i + 1);
  for (const pool of pools) {
    if (i < pool.count) return Buffer.from(pool.buffer, i * pool.length, pool.length).toString('latin1');
    i -= pool.count;
  }
  return 'exhausted.token-pool.bench';
}

/**
 * CPU time (ns) the app's thread has run: the process's main thread (tid = pid), from the
 * scheduler's own accounting. Unlike throughput, it hardly moves when neighbours load the machine.
 */
function appThreadCpuNs(): number {
  try {
    return Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN; // not Linux
  }
}

async function run(request: LoadRequest, seconds: number, record: boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const fresh = request.freshTokens;
  if (fresh && !fresh.wraps) cursors.set(fresh.stream, cursors.get(fresh.stream) ?? fresh.start);
  if (fresh?.wraps) cursors.set(fresh.stream, 0);
  const headers = request.headers;
  // Every row builds its request per call, so the generator's own cost is the same for all rows.
  const setupRequest = fresh
    ? (req: AutocannonRequest) => ({ ...req, headers: { ...headers, authorization: `Bearer ${nextToken(fresh.stream, fresh.wraps)}` } })
    : (req: AutocannonRequest) => ({ ...req, headers });
  const cpuBefore = appThreadCpuNs();
  const instance = autocannon({
    url: request.url,
    connections: request.connections,
    duration: seconds,
    timeout: 10,
    requests: [{ method: 'GET', setupRequest }],
  });
  let responses = 0;
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    responses++;
    if (!record) return;
    latencies.push(ms);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const cpuNs = appThreadCpuNs() - cpuBefore;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requestsPerSecond: latencies.length / result.duration,
    appCpuUsPerRequest: cpuNs / 1000 / Math.max(1, responses),
    latencyP50: at(0.5),
    latencyP99: at(0.99),
    total: record ? latencies.length : responses,
    warmupTotal: 0,
    errors: result.errors + result.timeouts,
    statuses,
    tokensUsed: fresh ? (cursors.get(fresh.stream) ?? 0) : 0,
    probed: 0,
  };
}

parentPort!.on('message', (message: { id: number; request?: LoadRequest; tokens?: TokenPool }) => void handleMessage(message));

async function handleMessage(message: { id: number; request?: LoadRequest; tokens?: TokenPool }): Promise<void> {
  if (message.tokens) {
    pools.push(message.tokens);
    tokenCount += message.tokens.count;
    return;
  }
  try {
    const request = message.request!;
    const warmup = request.warmupSeconds > 0 ? await run(request, request.warmupSeconds, false) : undefined;
    const result = { ...(await run(request, request.seconds, true)), warmupTotal: warmup?.total ?? 0 };
    parentPort!.postMessage({ id: message.id, result });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: (error as Error).stack ?? String(error) });
  }
}
