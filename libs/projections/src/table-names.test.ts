import { describe, expect, it } from '@jest/globals';
import { InvalidProjectionError, UnknownProjectionTableError } from './errors.js';
import { assertValidProjection, assertValidProjections, type Projection } from './projection.js';
import { assertDisjointTables, ownedTables, projectionTables } from './table-names.js';

const projection = (overrides: Partial<Projection> = {}): Projection => ({
  name: 'read-model',
  version: 1,
  eventTypes: ['a.v1'],
  tables: ['parents', 'reporting.children'],
  onError: 'halt',
  apply: async () => undefined,
  ...overrides,
});

describe('projection tables', () => {
  it('maps declared tables to live or shadow identifiers in the same schema', () => {
    expect(ownedTables(projection())).toEqual([
      { declared: 'parents', schema: 'public', live: 'parents', shadow: 'parents__rebuild' },
      { declared: 'reporting.children', schema: 'reporting', live: 'children', shadow: 'children__rebuild' },
    ]);
    expect(projectionTables(projection(), 'live').of('reporting.children').names).toEqual(['reporting', 'children']);
    expect(projectionTables(projection(), 'shadow').of('parents').names).toEqual(['public', 'parents__rebuild']);
  });

  it('throws a typed error for a table the projection does not own', () => {
    expect(() => projectionTables(projection(), 'live').of('children')).toThrow(UnknownProjectionTableError);
  });

  it('refuses table names it cannot shadow safely', () => {
    expect(() => ownedTables(projection({ tables: ['Bad-Name'] }))).toThrow(InvalidProjectionError);
    expect(() => ownedTables(projection({ tables: ['a.b.c'] }))).toThrow(/'table' or 'schema.table'/);
    expect(() => ownedTables(projection({ tables: ['x'.repeat(60)] }))).toThrow(/too long for its shadow/);
  });

  it('refuses two projections owning one table', () => {
    expect(() => assertDisjointTables([projection(), projection({ name: 'other', tables: ['public.parents'] })])).toThrow(
      /already owned by read-model/,
    );
    expect(() => assertDisjointTables([projection(), projection({ name: 'other', tables: ['others'] })])).not.toThrow();
  });
});

describe('projection declarations', () => {
  it.each([
    [{ name: 'Has Spaces' }, /name must match/],
    [{ version: 0 }, /version must be an integer >= 1/],
    [{ version: 1.5 }, /version must be an integer >= 1/],
    [{ eventTypes: [] }, /eventTypes must not be empty/],
    [{ tables: [] }, /tables must not be empty/],
    [{ tables: ['a', 'a'] }, /tables must be unique/],
    [{ onError: 'ignore' as 'halt' }, /onError must be 'halt' or 'skip'/],
  ])('refuses %j', (overrides, message) => {
    expect(() => assertValidProjection(projection(overrides))).toThrow(message);
  });

  it('refuses the same name twice in one runner', () => {
    expect(() => assertValidProjections([projection(), projection()])).toThrow(/declared twice/);
  });
});
