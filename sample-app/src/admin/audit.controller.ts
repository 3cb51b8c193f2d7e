import { Controller, Get, Query } from '@nestjs/common';
import { AuditLogService, Roles } from '@nestflux/auth';
import { type AuditQueryParams, parseAuditQuery } from './audit-query.js';

/** One entry of `GET /api/audit` (see the contract). */
export interface AuditEntryResponse {
  at: string;
  event: string;
  userId: string | null;
  provider: string | null;
  ip: string | null;
  outcome: string;
  code: string | null;
}

/** The audit log for administrators: newest first, filtered by `userId`, `event`, `since`, `limit` (≤ 500). */
@Controller('api')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Roles('admin')
  @Get('audit')
  async list(@Query() params: AuditQueryParams): Promise<AuditEntryResponse[]> {
    const entries = await this.audit.find(parseAuditQuery(params));
    return entries.map((e) => ({
      at: e.at.toISOString(),
      event: e.event,
      userId: e.userId,
      provider: e.provider,
      ip: e.ip,
      outcome: e.outcome,
      code: e.code,
    }));
  }
}
