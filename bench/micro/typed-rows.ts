/**
 * What validating query rows at run time would cost on the list-opportunities read path: one
 * page of 50 rows shaped as slonik returns them, mapped by the real `opportunityView`, against
 * `OpportunityRow.parse(row)` (the real zod schema) and the same mapping. Both in one process,
 * alternating, ROUNDS rounds of PAGES pages after 3 warm-up rounds; medians per round.
 *
 *   npm run build && node dist/bench/micro/typed-rows.js      (docs/PERFORMANCE.md "Typed rows")
 */
import { randomUUID } from 'node:crypto';
import { OpportunityRow, opportunityView } from '#read-models';

const PAGES = 2_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

const now = Date.now();
const page = Array.from({ length: 50 }, (_, i) => ({
  id: randomUUID(),
  type: 'upsell' as const,
  source: 'usage_analysis',
  confidence: Math.random(),
  details: { currentTier: 1, suggestedTier: 2, monthlyTokens: 50_000 + i, monthlyVoice: 120 },
  status: 'expired' as const,
  evidence: { textTokens: 61_234 + i, voiceSeconds: 120, usageRows: 30, tier: 1, walletFound: true },
  rule_set_version: '2025-11-21.1',
  created_at: now,
  updated_at: now,
  closed_at: null,
  experiment_id: null,
  arm: null,
  observed_at: null,
  converted: null,
  realised_mrr: null,
  observation: null,
}));

let sink = 0;
const microsPerPage = (work: () => unknown[]): number => {
  const started = process.hrtime.bigint();
  for (let p = 0; p < PAGES; p++) sink += work().length;
  return Number(process.hrtime.bigint() - started) / 1e3 / PAGES;
};
const mapOnly = () => page.map(opportunityView);
const parseAndMap = () => page.map((row) => opportunityView(OpportunityRow.parse(row)));

for (let i = 0; i < 3; i++) {
  microsPerPage(mapOnly);
  microsPerPage(parseAndMap);
}
const mapped: number[] = [];
const parsed: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  mapped.push(microsPerPage(mapOnly));
  parsed.push(microsPerPage(parseAndMap));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
console.log(`per 50-row page (µs): mapping only, median ${median(mapped).toFixed(1)} [${list(mapped)}]`);
console.log(`per 50-row page (µs): zod parse + mapping, median ${median(parsed).toFixed(1)} [${list(parsed)}]`);
console.log(`cost of the parse: ${(median(parsed) - median(mapped)).toFixed(1)} µs per page (${sink > 0 ? 'ran' : 'no work'})`);
