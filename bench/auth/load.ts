import { createRequire } from 'node:module';

/** The slice of autocannon's options used here (the package ships no types). */
interface AutocannonOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  headers?: Record<string, string>;
  /** Fire requests from worker threads, so the load generator does not share the app's event loop. */
  workers?: number;
  /** Seconds. */
  timeout?: number;
}

interface Histogram {
  average: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p97_5: number;
  p99: number;
}

interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  total: number;
  errors: number;
  /** Growth of `probe` during the measured run (e.g. database queries). */
  probed: number;
  /** Responses per status code, e.g. { 200: 51234 }. */
  statuses: Record<string, number>;
}

/** A warm-up (discarded), then a measured run of the same request against the same URL. */
export async function measure(url: string, headers: Record<string, string>, settings: LoadSettings, probe: () => number = () => 0): Promise<LoadResult> {
  const base = { url, headers, connections: settings.connections, workers: 1, timeout: 10 };
  if (settings.warmupSeconds > 0) await autocannon({ ...base, duration: settings.warmupSeconds });
  const before = probe();
  const result = await autocannon({ ...base, duration: settings.seconds });
  const probed = probe() - before;
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = Number(count);
  return {
    // Completed requests over the actual run time (autocannon's per-second samples are too few for short runs).
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    probed,
    statuses,
  };
}
