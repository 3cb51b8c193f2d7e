import type { INestApplicationContext, Type } from '@nestjs/common';
import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ALL_ROLES_KEY, ANY_ROLES_KEY, IS_PUBLIC_KEY, SCOPES_KEY } from '../decorators/auth-metadata.js';
import { AuthGuard } from '../guards/auth.guard.js';

/** What the module's guard asks of one route handler. */
export interface RouteRequirement {
  /** False: `@Public()`, or no `AuthGuard` applies. */
  guarded: boolean;
  anyRoles: string[];
  allRoles: string[];
  scopes: string[];
}

/** A route handler: its controller's class name and method name (what swagger builds operation ids from). */
export interface RouteHandler {
  controllerKey: string;
  methodKey: string;
  requirement: RouteRequirement;
}

/**
 * Every route handler of the app's controllers with the requirement `AuthGuard` would enforce:
 * the global guard (unless turned off), or `@UseGuards(AuthGuard)` on the handler or controller,
 * and the `@Public()`, `@Roles`, `@AllRoles`, `@Scopes` metadata as the guard reads it.
 */
export function routeHandlers(app: INestApplicationContext, globalGuard: boolean): RouteHandler[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const handlers: RouteHandler[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<object> | null;
      if (!controller?.prototype) continue;
      const prototype = controller.prototype as object;
      for (const methodKey of scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[methodKey] as (...args: unknown[]) => unknown;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const targets = [handler, controller];
        const usesGuard = globalGuard || targets.some((target) => hasAuthGuard(Reflect.getMetadata(GUARDS_METADATA, target)));
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true;
        handlers.push({
          controllerKey: controller.name,
          methodKey,
          requirement: {
            guarded: usesGuard && !isPublic,
            anyRoles: reflector.getAllAndOverride<string[] | undefined>(ANY_ROLES_KEY, targets) ?? [],
            allRoles: reflector.getAllAndOverride<string[] | undefined>(ALL_ROLES_KEY, targets) ?? [],
            scopes: reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets) ?? [],
          },
        });
      }
    }
  }
  return handlers;
}

function hasAuthGuard(guards: unknown): boolean {
  if (!Array.isArray(guards)) return false;
  return guards.some(
    (guard) =>
      guard === AuthGuard ||
      (typeof guard === 'function' && (guard as { prototype?: unknown }).prototype instanceof AuthGuard) ||
      guard instanceof AuthGuard,
  );
}
