import pg from 'pg';

let queries = 0;
let installed = false;

/**
 * Counts every query sent through node-postgres in this process (TypeORM's postgres driver uses
 * it, for PostgreSQL and for PGlite over its socket), so each row can report queries/request.
 */
export function installQueryCounter(): () => number {
  if (!installed) {
    installed = true;
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      queries++;
      return original.apply(this, args);
    };
  }
  return () => queries;
}
