import { sql } from '#database';
import { InvalidProjectionError, UnknownProjectionTableError } from './errors.js';
import type { AnyProjection, ProjectionTables } from './projection.js';

/** A projection-owned table and the shadow copy a rebuild writes to (same schema, so a rename swaps them). */
export interface OwnedTable {
  /** As declared in `Projection.tables`. */
  readonly declared: string;
  readonly schema: string;
  readonly live: string;
  readonly shadow: string;
}

export type TableSet = 'live' | 'shadow';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const SHADOW_SUFFIX = '__rebuild';
/** PostgreSQL truncates longer identifiers, which could make two shadows collide. */
const MAX_IDENTIFIER_BYTES = 63;

export function ownedTables(projection: AnyProjection): OwnedTable[] {
  return projection.tables.map((declared) => {
    const parts = declared.split('.');
    const [schema, live] = parts.length === 2 ? (parts as [string, string]) : ['public', parts[0] ?? ''];
    if (parts.length > 2 || !IDENTIFIER.test(schema) || !IDENTIFIER.test(live)) {
      throw new InvalidProjectionError(
        projection.name,
        `table ${JSON.stringify(declared)} must be 'table' or 'schema.table' in snake_case`,
      );
    }
    const shadow = live + SHADOW_SUFFIX;
    if (shadow.length > MAX_IDENTIFIER_BYTES) {
      throw new InvalidProjectionError(
        projection.name,
        `table name ${live} is too long for its shadow ${shadow} (max ${MAX_IDENTIFIER_BYTES})`,
      );
    }
    return { declared, schema, live, shadow };
  });
}

export function qualifiedName(table: OwnedTable, set: TableSet): string {
  return `${table.schema}.${set === 'live' ? table.live : table.shadow}`;
}

/** The ProjectionTables handed to `apply`: live tables, or the shadows while rebuilding. */
export function projectionTables(projection: AnyProjection, set: TableSet): ProjectionTables {
  const byName = new Map(ownedTables(projection).map((t) => [t.declared, sql.identifier([t.schema, set === 'live' ? t.live : t.shadow])]));
  return {
    of(table: string) {
      const identifier = byName.get(table);
      if (!identifier) throw new UnknownProjectionTableError(projection.name, table);
      return identifier;
    },
  };
}

/** Two projections writing one table would undo each other's rebuilds. */
export function assertDisjointTables(projections: readonly AnyProjection[]): void {
  const owner = new Map<string, string>();
  for (const projection of projections) {
    for (const table of ownedTables(projection)) {
      const key = qualifiedName(table, 'live');
      const previous = owner.get(key);
      if (previous !== undefined) throw new InvalidProjectionError(projection.name, `table ${key} is already owned by ${previous}`);
      owner.set(key, projection.name);
    }
  }
}
