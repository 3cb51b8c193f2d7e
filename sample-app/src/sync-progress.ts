import cliProgress from 'cli-progress';
import type { SyncProgress } from '@nestflux/auth';

/** What `npm run sync` draws while a pass runs; `stop()` clears it before the summary. */
export interface SyncProgressDisplay {
  update(progress: SyncProgress): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal (users fetched of the total, pages, users per
 * second, ETA), drawn with cli-progress at most every 100 ms; nothing at all when piped, so a
 * log file holds only the log lines and the summary.
 */
export function createSyncProgress(stream: NodeJS.WriteStream = process.stderr): SyncProgressDisplay | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      fps: 10,
      etaBuffer: 50,
      hideCursor: true,
      clearOnComplete: true,
      format: 'sync {bar} {value}/{total} users · {pages} pages · {rate}/s · ETA {eta_formatted}',
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let running = false;
  return {
    update(progress) {
      const total = Math.max(progress.total ?? progress.fetched, progress.fetched);
      const seconds = (performance.now() - started) / 1000;
      const payload = { pages: progress.pages, rate: seconds > 0 ? Math.round(progress.fetched / seconds) : 0 };
      if (!running) {
        bar.start(total, progress.fetched, payload);
        running = true;
        return;
      }
      bar.setTotal(total);
      bar.update(progress.fetched, payload);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
