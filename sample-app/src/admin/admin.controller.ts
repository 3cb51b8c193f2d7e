import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditLogService, AuthError, ForbiddenError, Public, RequestAuthenticator, type AuthUser } from '@nestflux/auth';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { findUsers, latestSyncRuns, parseUserFilter } from './admin-data.js';
import { adminPage, errorPage } from './admin-page.js';
import { parseAuditQuery } from './audit-query.js';

const AUDIT_ROWS = 50;

/**
 * `GET /admin` (role `admin`): users, the latest sync runs and the audit log, server-rendered.
 * An anonymous browser is sent to the login and back; a signed-in user without the role gets 403.
 * Authenticated here rather than by the global guard so that a browser gets a redirect or a page,
 * not JSON, in enforce mode or not.
 */
@Public()
@Controller('admin')
export class AdminController {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly audit: AuditLogService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const wantsHtml = /text\/html/.test(req.headers.accept ?? '');
    let admin: AuthUser;
    try {
      admin = await this.authenticator.authenticate(req);
    } catch (error) {
      if (wantsHtml && error instanceof AuthError && error.code === 'AUTH_UNAUTHENTICATED') {
        return res.redirect(302, `/auth/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      }
      throw error;
    }
    if (!admin.roles.includes('admin')) {
      if (!wantsHtml) throw new ForbiddenError('AUTH_FORBIDDEN_ROLE', 'This page needs the role admin.');
      res.status(403).type('html').send(errorPage('Forbidden', 'This page needs the role admin.').value);
      return;
    }
    const filter = parseUserFilter(query);
    const auditQuery = parseAuditQuery({ userId: query.userId, event: query.event, since: query.since }, AUDIT_ROWS);
    const [users, runs, audit] = await Promise.all([findUsers(this.db, filter), latestSyncRuns(this.db), this.audit.find(auditQuery)]);
    res.type('html').send(adminPage({ admin, filter, users, runs, auditQuery, audit }).value);
  }
}
