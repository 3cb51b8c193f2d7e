import { createPrivateKey, sign } from 'node:crypto';
import { workerData } from 'node:worker_threads';
import { jtiFor, type SignerJob } from './fresh-tokens.js';

/** Signs tokens [from, to) of a pool straight into its shared buffer (see fresh-tokens.ts). */
const job = workerData as SignerJob;
const key = createPrivateKey({ key: job.jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
const bytes = new Uint8Array(job.buffer);
for (let i = job.from; i < job.to; i++) {
  const payload = Buffer.from(job.payloadTemplate.replace('__JTI__', jtiFor(job.first + i))).toString('base64url');
  const input = `${job.encodedHeader}.${payload}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  if (token.length !== job.length) throw new Error(`token ${i} has ${token.length} characters, expected ${job.length}`);
  bytes.set(Buffer.from(token, 'latin1'), i * job.length);
}
