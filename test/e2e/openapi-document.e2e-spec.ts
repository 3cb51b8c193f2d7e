import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { addAuthSecurity, AllRoles, AuthGuard, Public, Roles, Scopes } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

@Controller('reports')
class ReportsController {
  @Public()
  @Get('public')
  open() {
    return { open: true };
  }

  @Get()
  list() {
    return [];
  }

  @Roles('admin', 'auditor')
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }

  @AllRoles('admin', 'finance')
  @Scopes('reports:export')
  @Get(':id/export')
  exportOne(@Param('id') id: string) {
    return { id };
  }
}

/** Without the global guard: only what `@UseGuards(AuthGuard)` covers needs a user. */
@Controller('mixed')
class MixedController {
  @Get('open')
  open() {
    return { open: true };
  }

  @UseGuards(AuthGuard)
  @Roles('admin')
  @Get('guarded')
  guarded() {
    return { guarded: true };
  }
}

type Operation = { security?: Array<Record<string, string[]>>; responses: Record<string, { description: string }>; [key: string]: unknown };
const operation = (document: OpenAPIObject, path: string, method = 'get') =>
  (document.paths[path] as Record<string, Operation> | undefined)?.[method];
const EITHER = [{ session: [] }, { bearer: [] }];

async function documentOf(host: HostApp): Promise<OpenAPIObject> {
  const document = SwaggerModule.createDocument(host.app, new DocumentBuilder().setTitle('host').build());
  return addAuthSecurity(host.app, document);
}

describe('OpenAPI: addAuthSecurity on a @nestjs/swagger document', () => {
  let rogue: RogueProvider;
  let guarded: HostApp;
  let unguarded: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: 'openapi-client', clientSecret: 'openapi-client-secret-value' });
    guarded = await startHostAppOn(rogue, { controllers: [ReportsController] });
    unguarded = await startHostAppOn(rogue, { controllers: [MixedController], auth: { globalGuard: false } });
  });
  afterAll(async () => {
    await guarded?.close();
    await unguarded?.close();
    await rogue?.close();
  });

  it('declares the session cookie and bearer schemes', async () => {
    const document = await documentOf(guarded);
    expect(document.components?.securitySchemes).toMatchObject({
      session: { type: 'apiKey', in: 'cookie', name: 'nestflux.sid' },
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
  });

  it("lists the module's own routes: login and callback open, /auth/me and the session routes behind either scheme", async () => {
    const document = await documentOf(guarded);
    expect(operation(document, '/auth/login')?.security).toEqual([]);
    expect(operation(document, '/auth/callback')?.security).toEqual([]);
    expect(operation(document, '/auth/me')?.security).toEqual(EITHER);
    expect(operation(document, '/auth/me')?.responses['401']).toBeDefined();
    expect(operation(document, '/auth/sessions')?.security).toEqual(EITHER);
  });

  it('under the global guard: every host route needs a user unless @Public(), with @Roles/@AllRoles/@Scopes as 403s', async () => {
    const document = await documentOf(guarded);
    expect(operation(document, '/reports/public')?.security).toEqual([]);
    expect(operation(document, '/reports/public')?.responses['401']).toBeUndefined();

    const list = operation(document, '/reports')!;
    expect(list.security).toEqual(EITHER);
    expect(list.responses['403']).toBeUndefined();

    const one = operation(document, '/reports/{id}')!;
    expect(one.security).toEqual(EITHER);
    expect(one.responses['403'].description).toContain('one of the roles admin, auditor');
    expect(one['x-nestflux-roles']).toEqual({ anyOf: ['admin', 'auditor'], allOf: [] });

    const exported = operation(document, '/reports/{id}/export')!;
    expect(exported.responses['403'].description).toBe('Requires all of the roles admin, finance; the scopes reports:export.');
    expect(exported['x-nestflux-scopes']).toEqual(['reports:export']);
  });

  it('without the global guard: only routes under @UseGuards(AuthGuard) need a user', async () => {
    const document = await documentOf(unguarded);
    expect(operation(document, '/mixed/open')?.security).toEqual([]);
    expect(operation(document, '/mixed/guarded')?.security).toEqual(EITHER);
    expect(operation(document, '/mixed/guarded')?.responses['403'].description).toContain('admin');
    // The module's /auth/me carries its own @UseGuards(AuthGuard).
    expect(operation(document, '/auth/me')?.security).toEqual(EITHER);
  });

  it('the document matches what the guard does: a documented open route answers anonymously, a secured one does not', async () => {
    const document = await documentOf(guarded);
    for (const [path, url] of [
      ['/reports/public', '/reports/public'],
      ['/reports', '/reports'],
      ['/reports/{id}', '/reports/7'],
    ]) {
      const res = await fetch(`${guarded.baseUrl}${url}`);
      expect(res.status).toBe(operation(document, path)!.security!.length === 0 ? 200 : 401);
    }
  });
});
