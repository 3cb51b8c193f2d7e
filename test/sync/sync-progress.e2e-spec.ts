import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createSyncProgress } from '../../sample-app/src/sync-progress.js';

/** A stream that says it is a terminal, as process.stderr does on one; collects what is drawn. */
function terminal(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { columns: number };
  let written = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk.toString()));
  Object.assign(stream, { isTTY, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => written };
}

describe('npm run sync progress display (cli-progress)', () => {
  it('draws users fetched of the total, pages and rate on a terminal, and clears itself', async () => {
    const tty = terminal(true);
    const progress = createSyncProgress(tty.stream)!;
    expect(progress).toBeDefined();
    progress.update({ fetched: 100, total: 1000, pages: 1, written: 0 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    progress.update({ fetched: 500, total: 1000, pages: 5, written: 400 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(tty.text()).toMatch(/500\/1000 users · 5 pages · \d+\/s · ETA/);
    progress.stop();
  });

  it('draws nothing when the output is piped', () => {
    expect(createSyncProgress(terminal(false).stream)).toBeUndefined();
  });
});
