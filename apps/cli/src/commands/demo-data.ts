import { nextDemoNumber, seedDemoData } from '#runtime';
import { configOf, type CommandContext } from '../context.js';
import { CliFailure } from '../exit-codes.js';
import { keyValues } from '../output.js';
import { withRuntime } from '../session.js';

export interface DemoDataOptions {
  readonly orgs: number;
  readonly days: number;
  readonly batchSize: number;
  /** Batches seeded at once, each on its own connection. */
  readonly concurrency: number;
}

/**
 * Seeds demo orgs in batches, one transaction each (seedDemoData: "Demo org <n>" numbered on
 * from the highest one there is, its usage profile and tier chosen by n), so the bar moves and no transaction holds back the
 * event store's readers for long. An interrupted run keeps the batches it committed.
 */
export async function demoData(options: DemoDataOptions, ctx: CommandContext): Promise<void> {
  const started = performance.now();
  const result = await withRuntime(configOf(ctx), ctx.env, async (runtime) => {
    const asOf = runtime.deps.clock.now();
    const base = await nextDemoNumber(runtime.pool);
    const batches = Array.from({ length: Math.ceil(options.orgs / options.batchSize) }, (_, i) => ({
      first: i * options.batchSize,
      size: Math.min(options.batchSize, options.orgs - i * options.batchSize),
    }));
    const seeded: Array<{ firstOrgId: string; ownerUserId: string } | undefined> = [];
    const bar = ctx.progress.bar('demo-data', options.orgs, 'orgs');
    let made = 0;
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (next < batches.length) {
        const index = next++;
        const { first, size } = batches[index]!;
        try {
          const batch = await seedDemoData(runtime.pool, size, asOf, { days: options.days, firstNumber: base + first });
          seeded[index] = { firstOrgId: batch.orgIds[0]!, ownerUserId: batch.ownerUserId };
          made += size;
          bar.increment(size);
        } catch (error) {
          failure ??= error;
          next = batches.length; // the other workers finish their batch and stop
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, batches.length) }, worker));
    bar.stop();
    if (failure !== undefined) {
      const done = made.toLocaleString('en-US');
      const kept = made ? ` (the ${done} orgs of the finished batches are kept)` : '';
      const reason = failure instanceof Error ? failure.message : String(failure);
      throw new CliFailure(`demo-data stopped after ${done} of ${options.orgs.toLocaleString('en-US')} orgs${kept}: ${reason}`, {
        cause: failure,
      });
    }
    return { orgs: made, days: options.days, asOf: asOf.toISOString(), ...seeded[0]! };
  });
  const durationMs = Math.round(performance.now() - started);
  ctx.print.result({ ...result, durationMs }, () =>
    keyValues([
      ['orgs created', result.orgs],
      ['days of usage', result.days],
      ['usage up to', result.asOf],
      ['first org id', result.firstOrgId],
      ['owner user id', result.ownerUserId],
      ['took', `${(durationMs / 1000).toFixed(1)}s`],
    ]),
  );
  ctx.print.note(`\nA token for the demo orgs' owner: revenue-engine token --sub ${result.ownerUserId}`);
}
