import type { LoadResult } from './load.js';

export interface Row {
  label: string;
  /** The status every response must have. */
  expect: number;
  /** Target ratio to the open route, if the issue sets one. */
  target?: number;
}

/** p99 of an authenticated row may exceed the open route's by at most this (ms). */
export const P99_BUDGET_MS = 2;

/**
 * A markdown table: per row the median over rounds of req/s, p50 and p99, and the ratio to the
 * first row's (the open route's) throughput in the same round (median, lowest–highest round).
 */
export function requestPathReport(heading: string, rows: Row[], results: LoadResult[][]): string {
  const open = results[0];
  const openP99 = median(open.map((r) => r.latencyP99));
  const lines = [
    heading,
    '',
    '| request | req/s | × open (min–max) | target | app CPU µs / req | × open by CPU (min–max) | p50 ms | p99 ms | p99 − open | DB queries / req | responses |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  rows.forEach((row, i) => {
    const runs = results[i];
    const ratios = runs.map((r, round) => r.requestsPerSecond / open[round].requestsPerSecond);
    const ratio = median(ratios);
    // The open route's CPU per request over this row's: the throughput ratio a CPU-bound app thread would show.
    const cpuRatios = runs.map((r, round) => open[round].appCpuUsPerRequest / r.appCpuUsPerRequest);
    const p99 = median(runs.map((r) => r.latencyP99));
    const statuses = new Map<string, number>();
    for (const r of runs) for (const [code, n] of Object.entries(r.statuses)) statuses.set(code, (statuses.get(code) ?? 0) + n);
    const responses = [`${statuses.get(String(row.expect)) ?? 0} × ${row.expect}`];
    for (const [code, n] of statuses) if (code !== String(row.expect)) responses.push(`**${n} × ${code}**`);
    const errors = sum(runs.map((r) => r.errors));
    if (errors > 0) responses.push(`**${errors} errors**`);
    const queries = sum(runs.map((r) => r.probed)) / Math.max(1, sum(runs.map((r) => r.total + r.warmupTotal)));
    const target = row.target === undefined ? '' : `≥ ${row.target.toFixed(2)} ${ratio >= row.target ? '✓' : '✗'}`;
    const p99Delta =
      i === 0 ? '' : `${signed(p99 - openP99)}${row.target === undefined ? '' : p99 - openP99 <= P99_BUDGET_MS ? ' ✓' : ' ✗'}`;
    lines.push(
      `| ${row.label} | ${Math.round(median(runs.map((r) => r.requestsPerSecond)))} | ${ratio.toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) ` +
        `| ${target} | ${median(runs.map((r) => r.appCpuUsPerRequest)).toFixed(0)} | ${median(cpuRatios).toFixed(2)} (${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}) ` +
        `| ${ms(median(runs.map((r) => r.latencyP50)))} | ${ms(p99)} | ${p99Delta} | ${queries.toFixed(2)} | ${responses.join(', ')} |`,
    );
  });
  return lines.join('\n');
}

function ms(value: number): string {
  return value.toFixed(2);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
