import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` used here. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Samples this thread (the app's: the load runs in a worker) while `work` runs, like
 * `node --cpu-prof`, and writes the `.cpuprofile` (open it in Chrome DevTools or speedscope).
 */
export async function profiled<T>(file: string, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await writeFile(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Where a frame's code lives: a package, the library, node itself, or V8's own buckets. */
function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/')[1] : url.slice(5)}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/sample-app/')) return 'sample app';
  if (url.includes('/.build/bench/')) return 'bench';
  if (isLibrary(url)) return '@nestflux/auth';
  return url.replace(/^file:\/\//, '');
}

/** The library as built by `tsc -b tsconfig.build.json`: the package's own dist/. */
function isLibrary(url: string): boolean {
  return url.startsWith('file://') && url.includes('/dist/') && !url.includes('/node_modules/') && !url.includes('/sample-app/');
}

function where(url: string, line: number): string {
  if (!url) return '';
  const short = url.replace(/^file:\/\/.*?\/(node_modules|dist|\.build)\//, '');
  return `${short}:${line + 1}`;
}

/** Self time by area and by function, as shares of the busy (non-idle) samples. */
export function summarizeProfile(title: string, profile: CpuProfile, top = 12): string {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // The first sample's delta spans the time before sampling began: skip it.
  profile.samples.forEach((id, i) => {
    if (i > 0) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byNode.get(id)!;
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const a = area(callFrame.url, callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const fn = `\`${callFrame.functionName || '(anonymous)'}\` ${where(callFrame.url, callFrame.lineNumber)}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const lines = [
    `**${title}**: the app thread was busy ${((100 * busy) / Math.max(1, busy + idle)).toFixed(0)}% of the time. Self time by area: ` +
      sorted(areas)
        .slice(0, 8)
        .map(([a, us]) => `${a} ${pct(us)}`)
        .join(', ') +
      '.',
    '',
    '| self | function |',
    '|---:|---|',
    ...sorted(functions)
      .slice(0, top)
      .map(([fn, us]) => `| ${pct(us)} | ${fn} |`),
  ];
  const library = inclusiveTimes(profile, selfUs, isLibrary);
  if (library.size > 0) {
    lines.push(
      '',
      `Inclusive time of the library's functions: ${sorted(library)
        .slice(0, 6)
        .map(([fn, us]) => `${fn} ${pct(us)}`)
        .join(', ')}.`,
    );
  }
  return lines.join('\n');
}

export function profileFile(dir: string, name: string): string {
  return join(
    dir,
    `${name
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()}.cpuprofile`,
  );
}

/** Time spent in a function and everything it called, for the frames `pick` selects (recursion counted once). */
function inclusiveTimes(profile: CpuProfile, selfUs: Map<number, number>, pick: (url: string) => boolean): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = new Map<number, number>();
  const totalOf = (id: number): number => {
    const known = total.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const t = (selfUs.get(id) ?? 0) + (node.children ?? []).reduce((acc, child) => acc + totalOf(child), 0);
    total.set(id, t);
    return t;
  };
  const result = new Map<string, number>();
  const walk = (id: number, open: Set<string>) => {
    const node = byId.get(id)!;
    const { functionName, url } = node.callFrame;
    let key: string | undefined;
    if (pick(url)) {
      key = `\`${functionName || '(anonymous)'}\``;
      if (!open.has(key)) result.set(key, (result.get(key) ?? 0) + totalOf(id));
    }
    const next = key && !open.has(key) ? new Set(open).add(key) : open;
    for (const child of node.children ?? []) walk(child, next);
  };
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  for (const n of profile.nodes) if (!childIds.has(n.id)) walk(n.id, new Set());
  return result;
}
