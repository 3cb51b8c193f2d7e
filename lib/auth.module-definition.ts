import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AUTH_GLOBAL_GUARD, AUTH_ROUTE_PREFIX } from './auth.tokens.js';
import { AuthGuard } from './guards/auth.guard.js';
import { createAuthController } from './http/auth.controller.js';
import { createSessionsController } from './http/sessions.controller.js';
import { createIdentitiesController } from './http/identities.controller.js';
import { createDeviceController } from './http/device.controller.js';
import { createSessionTokensController } from './http/session-tokens.controller.js';
import { createFrontchannelLogoutController } from './http/frontchannel-logout.controller.js';
import type { AuthModuleExtras, AuthModuleOptions } from './options/auth-module-options.js';
import { normaliseRoutePrefix } from './options/resolve-auth-options.js';

/**
 * `forRoot` / `forRootAsync` come from ConfigurableModuleBuilder. The extras shape the module
 * itself, so they are known before any factory runs: `isGlobal`, `globalGuard` (every route
 * protected unless `@Public()`) and `routePrefix` (the login routes' path).
 */
export const { ConfigurableModuleClass: ConfigurableAuthModule, MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<AuthModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras<Required<AuthModuleExtras>>({ isGlobal: true, globalGuard: true, routePrefix: 'auth' }, (definition, extras) => {
      const routePrefix = normaliseRoutePrefix(extras.routePrefix);
      const providers: Provider[] = [
        ...(definition.providers ?? []),
        { provide: AUTH_ROUTE_PREFIX, useValue: routePrefix },
        { provide: AUTH_GLOBAL_GUARD, useValue: extras.globalGuard },
      ];
      if (extras.globalGuard) providers.push({ provide: APP_GUARD, useExisting: AuthGuard });
      return {
        ...definition,
        global: extras.isGlobal,
        providers,
        controllers: [
          ...(definition.controllers ?? []),
          createAuthController(routePrefix),
          createSessionsController(routePrefix),
          createIdentitiesController(routePrefix),
          createDeviceController(routePrefix),
          createSessionTokensController(routePrefix),
          createFrontchannelLogoutController(routePrefix),
        ],
      };
    })
    .build();
