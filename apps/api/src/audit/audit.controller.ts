import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isAbout, readOrgStream, toAuditEvent } from '#runtime';
import { AlsoForServices, CurrentOrg, OrgScoped } from '../platform/auth/decorators.js';
import { problems } from '../platform/errors/problem.js';
import type { OrgContext } from '../platform/http/api-request.js';
import { OrgScopedDocs } from '../platform/read-your-writes.js';
import { FEATURE_DEPS, type ResolvedFeatureDeps } from '../platform/feature-deps.js';
import { uuidParam } from '../platform/http/uuid-param.js';
import { AuditEventPage, AuditEventsQuery, DEFAULT_AUDIT_PAGE, OpportunityEvents, OpportunityStateDto, StateQuery } from './audit.dto.js';
import { opportunityIn, replayTo, type HistoryPoint } from './state-as-of.js';

/**
 * History straight from the event store, so org scoping is the stream name: the guard admits
 * owners/admins of X-Org-Id (same 404 for everyone else) or a service with `audit:read`.
 * The store is read-your-writes by itself, so X-Min-Position is not needed here.
 */
@ApiTags('audit')
@Controller('api/revenue/audit')
@OrgScoped()
@AlsoForServices('audit:read')
@OrgScopedDocs()
export class AuditController {
  constructor(@Inject(FEATURE_DEPS) private readonly deps: ResolvedFeatureDeps) {}

  @Get('events')
  @ApiOperation({ summary: "The org stream's events with their metadata, in revision order." })
  @ApiOkResponse({ type: AuditEventPage })
  async events(@Query() query: AuditEventsQuery, @CurrentOrg() org: OrgContext): Promise<AuditEventPage> {
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    const fromRevision = BigInt(query.fromRevision ?? '0');
    const events = await readOrgStream(this.deps.store, org.orgId, { fromRevision, maxCount: limit + 1 });
    const page = events.slice(0, limit);
    const next = events[limit];
    return { success: true, events: page.map(toAuditEvent), nextRevision: next ? next.streamRevision.toString() : null };
  }

  @Get('opportunities/:opportunityId/events')
  @ApiOperation({ summary: 'The events about one opportunity: detection, refreshes, close, and its actions.' })
  @ApiOkResponse({ type: OpportunityEvents })
  @ApiNotFoundResponse({ description: 'No event of the org is about this opportunity.' })
  async opportunityEvents(
    @Param('opportunityId', uuidParam('opportunityId')) id: string,
    @CurrentOrg() org: OrgContext,
  ): Promise<OpportunityEvents> {
    const opportunityId = id.toLowerCase();
    const events = (await readOrgStream(this.deps.store, org.orgId)).filter((e) => isAbout(opportunityId, e));
    if (events.length === 0) throw problems.opportunityNotFound();
    return { success: true, events: events.map(toAuditEvent) };
  }

  @Get('opportunities/:opportunityId/state')
  @ApiOperation({ summary: 'The opportunity and its actions as they were at a time (asOf) or stream revision (latest without either).' })
  @ApiOkResponse({ type: OpportunityStateDto })
  @ApiNotFoundResponse({ description: 'The opportunity did not exist (yet) at that point.' })
  async state(
    @Param('opportunityId', uuidParam('opportunityId')) id: string,
    @Query() query: StateQuery,
    @CurrentOrg() org: OrgContext,
  ): Promise<OpportunityStateDto> {
    const point = historyPoint(query);
    // Only the prefix is needed; capped so the store's safe-integer check holds for any valid revision.
    const maxCount = 'revision' in point ? { maxCount: Math.min(Number(point.revision) + 1, Number.MAX_SAFE_INTEGER) } : {};
    const replayed = replayTo(await readOrgStream(this.deps.store, org.orgId, maxCount), point);
    const snapshot = opportunityIn(replayed.state, id.toLowerCase());
    if (!snapshot) throw problems.opportunityNotFound();
    return { success: true, revision: replayed.revision?.toString() ?? null, ...snapshot };
  }
}

function historyPoint(query: StateQuery): HistoryPoint {
  if (query.asOf !== undefined && query.revision !== undefined) {
    throw problems.validation([{ pointer: '#/revision', detail: 'give either asOf or revision, not both' }]);
  }
  if (query.revision !== undefined) return { revision: BigInt(query.revision) };
  if (query.asOf === undefined) return { latest: true };
  const asOf = new Date(query.asOf);
  if (Number.isNaN(asOf.getTime())) throw problems.validation([{ pointer: '#/asOf', detail: 'asOf must be an ISO 8601 date-time' }]);
  return { asOf };
}
