import type { LoadResult } from './load.js';

export interface Scenario {
  label: string;
  path: string;
  headers: Record<string, string>;
  /** The status every response must have. */
  expect: number;
}

/**
 * A markdown table: per row the median over rounds of req/s, p50 and p99, and the ratio to the
 * first row's throughput in the same round (median, with the lowest and highest round).
 */
export function authReport(heading: string, scenarios: Scenario[], results: LoadResult[][]): string {
  const baseline = results[0];
  const lines = [
    heading,
    '',
    '| request | req/s | × baseline (min–max) | p50 ms | p99 ms | DB queries / req | responses |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  scenarios.forEach((s, i) => {
    const rows = results[i];
    const ratios = rows.map((r, round) => r.requestsPerSecond / baseline[round].requestsPerSecond);
    const statuses = new Map<string, number>();
    for (const r of rows) for (const [code, n] of Object.entries(r.statuses)) statuses.set(code, (statuses.get(code) ?? 0) + n);
    const responses = [`${statuses.get(String(s.expect)) ?? 0} × ${s.expect}`];
    for (const [code, n] of statuses) if (code !== String(s.expect)) responses.push(`**${n} × ${code}**`);
    const errors = sum(rows.map((r) => r.errors));
    if (errors > 0) responses.push(`**${errors} errors**`);
    const queries = sum(rows.map((r) => r.probed)) / Math.max(1, sum(rows.map((r) => r.total)));
    lines.push(
      `| ${s.label} | ${Math.round(median(rows.map((r) => r.requestsPerSecond)))} | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) ` +
        `| ${median(rows.map((r) => r.latencyP50))} | ${median(rows.map((r) => r.latencyP99))} | ${queries.toFixed(2)} | ${responses.join(', ')} |`,
    );
  });
  return lines.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
