/**
 * Sessions are cached per instance and dropped when PostgreSQL reports a change (LISTEN/NOTIFY):
 * a change written straight to the database takes effect within 1 s (the contract), not in the
 * same instant. Polls `probe` until it answers `expected` or 1 s has passed; returns the last answer.
 */
export async function statusWithin(probe: () => Promise<Response>, expected: number, deadlineMs = 1_000): Promise<Response> {
  const started = Date.now();
  for (;;) {
    const res = await probe();
    if (res.status === expected || Date.now() - started >= deadlineMs) return res;
    await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
