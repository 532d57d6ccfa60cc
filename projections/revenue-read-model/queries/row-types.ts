import { z } from 'zod';

/*
 * Column types for the row schemas of slonik's typed queries (`sql.type(Row)`), as slonik hands
 * the values over with our pool (libs/database/src/pool.ts, slonik's default type parsers; numeric
 * and float8 come as numbers, text and uuid as strings).
 *
 * The schemas type the rows; they are not checked at run time. slonik 47 parses with them only
 * when a result-parser interceptor is installed, the pool has none, and a zod parse per row
 * costs more than it is worth on the read path (docs/PERFORMANCE.md, "Typed rows"). What keeps
 * the values honest is the database: NOT NULL and the CHECK constraints of migrations 103/106
 * (type, status, result, action_type), written only by the revenue-read-model projection.
 */

/** timestamptz: epoch milliseconds. */
export const timestamptz = z.number();
/** int8: a bigint. */
export const int8 = z.bigint();
/** A jsonb object, parsed. */
export const jsonObject = z.record(z.unknown());
