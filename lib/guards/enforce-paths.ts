/**
 * Enforce mode's exclusions: exact paths (`/health`, also with a trailing slash) and globs where
 * `*` is one path segment and `**` any number (`/static/**`). Matched against the raw request
 * path without its query; a path with dot segments, backslashes or encoded slashes or dots is
 * never excluded (fails closed: the guard then decides as for any other route).
 */
export function compilePathExclusions(patterns: readonly string[]): (url: string) => boolean {
  const expressions = patterns.map((pattern) => {
    const source = pattern
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${source}/?$`);
  });
  return (url: string) => {
    const path = url.split('?', 1)[0];
    if (!path.startsWith('/') || /\\|%2f|%5c|%2e/i.test(path) || /(^|\/)\.\.?(\/|$)/.test(path)) return false;
    return expressions.some((expression) => expression.test(path));
  };
}

/** Why a pattern cannot be an exclusion, or undefined when it can. */
export function pathPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) return 'must be a path starting with "/"';
  if (/[?#\s\\]/.test(pattern)) return 'must not hold a query, fragment, space or backslash';
  if (/\*{3,}/.test(pattern)) return 'uses "*" (one segment) or "**" (any depth), nothing longer';
  return undefined;
}
