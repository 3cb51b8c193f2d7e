import { describe, expect, it } from '@jest/globals';
import { compilePathExclusions, pathPatternProblem } from './enforce-paths.js';

describe('enforce mode exclusions', () => {
  const excluded = compilePathExclusions(['/health', '/static/**', '/files/*/public']);

  it('matches exact paths (with or without a trailing slash and a query) and globs', () => {
    expect(['/health', '/health/', '/health?x=1', '/static/a.css', '/static/a/b/c.js', '/files/7/public'].filter(excluded)).toHaveLength(6);
  });

  it('does not match neighbours, prefixes or deeper paths for *', () => {
    expect(['/healthz', '/health/x', '/static', '/staticx/a', '/files/7/8/public', '/api/profile'].filter(excluded)).toEqual([]);
  });

  it('never excludes paths with dot segments, backslashes or encoded slashes and dots', () => {
    expect(
      ['/static/../api/profile', '/static/./x', '/static/%2e%2e/api', '/static%2fx', '/static/a\\b', 'static/a'].filter(excluded),
    ).toEqual([]);
  });

  it('explains bad patterns', () => {
    expect(pathPatternProblem('/ok/**')).toBeUndefined();
    expect(pathPatternProblem('health')).toMatch(/starting with/);
    expect(pathPatternProblem('/a?b')).toMatch(/query/);
    expect(pathPatternProblem('/a/***')).toMatch(/"\*\*"/);
  });
});
