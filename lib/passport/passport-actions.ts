/**
 * What passport adds to a strategy for one request (`passport.authenticate` makes a per-request
 * copy with these actions). Structural, so our published types need neither `@types/passport`
 * nor `@types/express`.
 */
export interface PassportActions {
  success(user: unknown, info?: unknown): void;
  /** No credentials of this strategy's kind, or bad ones: the next strategy in a list may still succeed. */
  fail(challenge?: unknown, status?: number): void;
  /** Something broke (a dependency is down, the account is deactivated): stops the chain. */
  error(error: unknown): void;
  redirect(url: string, status?: number): void;
}

/** The callback `PassportStrategy(...)` passes to a strategy's constructor; it calls `validate`. */
export type PassportVerify = (req: unknown, done: (error: unknown, user?: unknown, info?: unknown) => void) => void;
