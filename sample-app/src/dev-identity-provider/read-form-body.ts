import type { IncomingMessage } from 'node:http';

/** Enough for a user name and an ignored password; anything larger is not our form. */
const MAX_BODY_BYTES = 16 * 1024;

export class FormBodyError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body. The handler may be mounted before any body
 * parser, so we parse the raw stream ourselves; when a host parser already consumed it, its
 * `req.body` object is used instead.
 */
export async function readFormBody(req: IncomingMessage): Promise<URLSearchParams> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') params.set(key, value);
    }
    return params;
  }

  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new FormBodyError('expected a form submission', 415);
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new FormBodyError('form too large', 413);
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
