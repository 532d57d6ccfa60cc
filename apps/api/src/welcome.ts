import type { SchedulerRunFinished } from '#read-models';
import type { RuleSet } from '#revenue';
import { channelRouting, DEMO_HISTORY_RATES, DEMO_OWNER_ID, mintToken, type DemoState, type Runtime } from '#runtime';
import type { ApiConfig } from './config.js';

/** What the banner says of the scheduler's first run (the run's recorded counts). */
export type ScheduledRunSummary = Pick<SchedulerRunFinished['data'], 'orgs' | 'detections' | 'actionsProposed' | 'outcome'>;

/** The MAOS operator of the demo: a person with a service token minted for them (`sub` = their id). */
const DEMO_OPERATOR = {
  name: 'demo-operator',
  scopes: ['maos:read', 'maos:approve', 'maos:dispatch', 'audit:read', 'ops:read', 'analytics:read'],
} as const;
const TOKEN_LIFETIME = '12h';

/**
 * What `npm start` prints on the terminal once it serves (never in production, never in the
 * JSON log): where things are, what the demo holds, ready tokens, and the first command to try.
 */
export async function welcome(options: {
  config: ApiConfig;
  url: string;
  runtime: Runtime;
  demo: DemoState;
  /** The scheduler's first run over the demo just loaded (null: not loaded now, or the scheduler is off). */
  firstRun: ScheduledRunSummary | null;
  /** Print ready tokens (only when they are signed with the development secret). */
  tokens: boolean;
}): Promise<string> {
  const { config, runtime, demo } = options;
  const api = `http://localhost:${new URL(options.url).port}`;
  const settings = { secret: config.JWT_SECRET, audience: config.JWT_AUDIENCE, issuer: config.JWT_ISSUER, expiresIn: TOKEN_LIFETIME };
  const tokenLines = options.tokens
    ? await Promise.all([
        mintToken({ kind: 'user', userId: DEMO_OWNER_ID }, settings).then(
          (t) => `  export TOKEN=${t.token}   # the owner of the demo orgs`,
        ),
        mintToken({ kind: 'service', name: DEMO_OPERATOR.name, scopes: DEMO_OPERATOR.scopes }, settings).then(
          (t) => `  export MAOS=${t.token}   # a MAOS operator: ${DEMO_OPERATOR.scopes.join(' ')}`,
        ),
      ])
    : [`  # JWT_SECRET is configured: mint tokens with npx revenue-engine token --sub ${DEMO_OWNER_ID} (see --help)`];
  const { server } = runtime;
  const data = server.embedded
    ? `embedded PostgreSQL in ${server.dataDir} (kept between starts; to reset see README "The embedded PostgreSQL")`
    : 'the PostgreSQL of DATABASE_URL';
  const run = options.firstRun;
  const every = config.SWEEP_INTERVAL_MINUTES;
  const demoLine = demo.loaded
    ? `${demo.organizations - demo.historyOrgs} demo orgs loaded; ` +
      (run
        ? `first scheduled sweep: ${run.detections} opportunities detected, ${run.actionsProposed} actions awaiting approval`
        : 'the scheduler is off (SWEEP_INTERVAL_MINUTES=0): run npx revenue-engine sweep')
    : `${demo.organizations} organizations${demo.organizations === 0 ? ' (load demo data: revenue-engine demo-data --orgs 300)' : ''}`;
  const holdouts = config.rules.ruleSet.holdouts;
  const rules = `${config.rules.ruleSet.version}${holdouts ? ` (${holdoutSummary(holdouts)})` : ' (no holdout)'}; RULE_SET_VERSION selects`;
  const effect =
    demo.historyOrgs > 0
      ? `${demo.historyOrgs.toLocaleString('en-US')} orgs of a backdated experiment (+${pointsOf(DEMO_HISTORY_RATES)} points planted), observed: npx revenue-engine effect`
      : null;
  const loop =
    every > 0
      ? `sweeps every ${every} min; approved actions go to ${channelsLine(config)}`
      : `scheduler off; approved actions go to ${channelsLine(config)}`;
  const lines = [
    '',
    `Revenue Engine is ready at ${api}`,
    `  dashboard  ${api}/dashboard/${demo.featuredOrgId ? `#org=${demo.featuredOrgId}` : ''}   (sign in with a token below)`,
    `  API docs   ${api}/api/docs`,
    `  health     ${api}/health/ready`,
    `  data       ${data}`,
    `  demo       ${demoLine}`,
    `  rules      ${rules}`,
    ...(effect ? [`  effect     ${effect}`] : []),
    `  loop       ${loop} (npx revenue-engine runs / outbox)`,
    '',
    `Try it from another terminal (tokens valid ${TOKEN_LIFETIME}):`,
    `  export API=${api}`,
    ...tokenLines,
    ...(demo.featuredOrgId ? [`  export ORG=${demo.featuredOrgId}   # Demo org 1: growing usage on tier 1`] : []),
    `  curl -s "$API/api/revenue/opportunities?status=open" -H "Authorization: Bearer $TOKEN" -H "X-Org-Id: $ORG"`,
    'More steps: README "Try it". Stop with Ctrl-C (SIGINT) or SIGTERM.',
    '',
  ];
  return lines.join('\n');
}

/** "10 % held out per play", or each play's share when they differ. */
function holdoutSummary(holdouts: NonNullable<RuleSet['holdouts']>): string {
  const shares = [...new Set(Object.values(holdouts).map((h) => h.share))];
  const percent = (x: number) => `${Math.round(x * 1000) / 10} %`;
  return shares.length === 1
    ? `${percent(shares[0]!)} held out per play`
    : `holdouts ${Object.entries(holdouts)
        .map(([t, h]) => `${t} ${percent(h.share)}`)
        .join(', ')}`;
}

const pointsOf = (rates: { treatment: number; control: number }) => Math.round((rates.treatment - rates.control) * 100);

/** "the local log channel" (CHANNELS unset: the banner is never printed in production), or what CHANNELS says. */
function channelsLine(config: ApiConfig): string {
  if (config.channels.defaulted) return 'the local log channel';
  return Object.entries(channelRouting(config.channels))
    .map(([type, kind]) => `${type}: ${kind}`)
    .join(', ');
}
