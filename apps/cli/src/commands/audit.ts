import { isUuid, sql } from '#database';
import type { AuditEvent } from '#runtime';
import { configOf, type CommandContext } from '../context.js';
import { CliFailure } from '../exit-codes.js';
import { table } from '../output.js';

export interface AuditOptions {
  readonly opportunity?: string;
  readonly asOf?: string;
}

/** ISO 8601: a date, or a date and time (with Z or an offset; without one it is read as UTC). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseInstant(text: string): Date | null {
  if (!ISO_8601.test(text.trim())) return null;
  const normalised = text.trim().replace(' ', 'T');
  const withZone = /T.*(Z|[+-]\d{2}:?\d{2})$/i.test(normalised) || !normalised.includes('T') ? normalised : `${normalised}Z`;
  // A bare date means the end of that day: "everything up to 2026-10-31" includes the 31st.
  const instant = new Date(normalised.includes('T') ? withZone : `${normalised}T23:59:59.999Z`);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** "2026-11-01T10:00:00.000Z" -> "2026-11-01 10:00:00" (UTC, as stored). */
const shortTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

const details = (e: AuditEvent) =>
  Object.entries(e.keyFields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');

/** The org stream's events from the event store, oldest first: when, what, who, and the key fields. */
export async function audit(orgIdArg: string, options: AuditOptions, ctx: CommandContext): Promise<void> {
  if (!isUuid(orgIdArg)) ctx.usage(`<orgId> must be an organization id (a UUID), got '${orgIdArg}'`);
  if (options.opportunity !== undefined && !isUuid(options.opportunity))
    ctx.usage(`--opportunity must be an opportunity id (a UUID), got '${options.opportunity}'`);
  const asOf = options.asOf === undefined ? undefined : (parseInstant(options.asOf) ?? undefined);
  if (options.asOf !== undefined && !asOf)
    ctx.usage(`--as-of must be an ISO 8601 date or date-time (e.g. 2026-11-01 or 2026-11-01T12:00:00Z), got '${options.asOf}'`);
  const orgId = orgIdArg.toLowerCase();
  const filter = { ...(options.opportunity ? { opportunityId: options.opportunity } : {}), ...(asOf ? { asOf } : {}) };
  // The engine is loaded only once the command line is known good.
  const [{ withRuntime }, { isAbout, readOrgStream, toAuditEvent }] = await Promise.all([import('../session.js'), import('#runtime')]);
  const config = configOf(ctx);
  const entries = await withRuntime(config, ctx.env, async (runtime) => {
    const all = await readOrgStream(runtime.store, orgId);
    const until = filter.asOf?.getTime();
    const found = all
      .filter((e) => until === undefined || Date.parse(e.metadata.occurredAt) <= until)
      .filter((e) => filter.opportunityId === undefined || isAbout(filter.opportunityId.toLowerCase(), e))
      .map(toAuditEvent);
    if (found.length > 0) return found;
    // An empty timeline is an answer for a known org (or one whose events exist beyond the filter), not for a typo.
    const known = await runtime.pool.exists(sql.unsafe`SELECT 1 FROM organizations WHERE id = ${orgId}`);
    if (!known && all.length === 0) throw new CliFailure(`organization ${orgId} does not exist`);
    return found;
  });
  ctx.print.result(
    { orgId, opportunityId: options.opportunity?.toLowerCase() ?? null, asOf: asOf?.toISOString() ?? null, events: entries },
    () => {
      const scope = [
        options.opportunity ? `opportunity ${options.opportunity.toLowerCase()}` : null,
        asOf ? `up to ${asOf.toISOString()}` : null,
      ]
        .filter(Boolean)
        .join(', ');
      const heading = `org ${orgId}: ${entries.length} event${entries.length === 1 ? '' : 's'}${scope ? ` (${scope})` : ''}`;
      if (entries.length === 0) return heading;
      return `${heading}\n\n${table(entries, [
        { header: 'time (UTC)', value: (e) => shortTime(e.occurredAt) },
        { header: 'rev', value: (e) => e.revision, align: 'right' },
        { header: 'event', value: (e) => e.type.replace(/^revenue\./, '') },
        { header: 'actor', value: (e) => `${e.actor.kind}:${e.actor.id}` },
        { header: 'command', value: (e) => e.command },
        { header: 'details', value: details },
      ])}`;
    },
  );
}
