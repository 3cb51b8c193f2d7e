import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { asHttpResponse, serializeCookie } from './http-response.adapter.js';

describe('asHttpResponse on a real Fastify reply', () => {
  async function answer(handler: (res: ReturnType<typeof asHttpResponse>) => void) {
    const app = Fastify();
    app.get('/', (_req, reply) => {
      handler(asHttpResponse(reply));
      return reply;
    });
    // Over a real socket: Fastify's inject() needs an ESM-only package Jest cannot require.
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      return await fetch(address, { redirect: 'manual' });
    } finally {
      await app.close();
    }
  }

  it('writes status, headers, JSON and every cookie (Set-Cookie is appended, not replaced)', async () => {
    const res = await answer((r) => {
      r.setHeader('Cache-Control', 'no-store');
      r.cookie('a', 'one', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 60_000 });
      r.clearCookie('b', { httpOnly: true, path: '/' });
      r.status(403).json({ code: 'X' });
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ code: 'X' });
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    expect(cookies[0]).toMatch(/^a=one; Max-Age=60; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(cookies[1]).toBe('b=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly');
  });

  it('redirects with the status first, as Express takes it', async () => {
    const res = await answer((r) => r.redirect(302, 'https://provider.example/authorize?x=1'));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://provider.example/authorize?x=1');
  });

  it('hands an Express-shaped response back as it is, and refuses anything else', () => {
    const express = {
      headersSent: false,
      setHeader() {},
      status() {
        return this;
      },
      json() {},
      redirect() {},
      cookie() {},
      clearCookie() {},
    };
    expect(asHttpResponse(express)).toBe(express);
    expect(() => asHttpResponse({ end() {} })).toThrow(TypeError);
  });
});

describe('serializeCookie', () => {
  it('writes Secure, Domain and SameSite=Strict, and encodes the value', () => {
    expect(serializeCookie('n', 'a b', { secure: true, domain: 'example.com', sameSite: 'strict', path: '/x' })).toBe(
      'n=a%20b; Domain=example.com; Path=/x; Secure; SameSite=Strict',
    );
  });
});

describe('every @Res() of the library goes through asHttpResponse', () => {
  it('no route handler types the raw response as our HttpResponse (it would break on Fastify)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          const source = readFileSync(path, 'utf8');
          for (const match of source.matchAll(/@Res\([^)]*\)\s+(\w+)\s*:\s*(\w+)/g)) {
            if (match[2] !== 'unknown' || !source.includes(`asHttpResponse(${match[1]})`)) offenders.push(`${path}: ${match[0]}`);
          }
        }
      }
    };
    walk(join(import.meta.dirname, '..'));
    expect(offenders).toEqual([]);
  });
});
