import { describe, expect, it } from '@jest/globals';
import { UpcasterRegistry } from '../upcasting.js';
import { exactTypesRegex, selectTypes } from './type-selection.js';

describe('event type selection', () => {
  it('builds a server regex that matches exactly the listed types', () => {
    // The server uses .NET regexes; anchors, groups, alternation and escapes mean the same in JavaScript.
    const regex = new RegExp(exactTypesRegex(['x.v1', 'a+b.v2']));
    expect(['x.v1', 'a+b.v2'].every((t) => regex.test(t))).toBe(true);
    expect(['x.v10', 'xav1', 'prefix.x.v1', 'aab.v2'].some((t) => regex.test(t))).toBe(false);
  });

  it('matches nothing for an empty list', () => {
    const regex = new RegExp(exactTypesRegex([]));
    expect(['', 'x.v1'].some((t) => regex.test(t))).toBe(false);
    expect(selectTypes([]).accepts('x.v1')).toBe(false);
  });

  it('without a list takes every non-system type', () => {
    const { accepts, serverFilter } = selectTypes();
    expect([accepts('x.v1'), accepts('$metadata')]).toEqual([true, false]);
    expect(serverFilter).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });

  it('with a list filters on the server by event type', () => {
    expect(selectTypes(['x.v1']).serverFilter).toMatchObject({ filterOn: 'eventType', regex: '^(?:x\\.v1)$' });
  });

  it('with upcasters also selects the stored older versions of a wanted type', () => {
    const upcasters = new UpcasterRegistry([{ fromType: 'x.v1', toType: 'x.v2', upcast: (e) => ({ data: e.data }) }]);
    const { accepts, serverFilter } = selectTypes(['x.v2'], upcasters);
    expect(['x.v1', 'x.v2', 'y.v1'].map(accepts)).toEqual([true, true, false]);
    const regex = new RegExp((serverFilter as { regex: string }).regex);
    expect(['x.v1', 'x.v2', 'y.v1'].map((t) => regex.test(t))).toEqual([true, true, false]);
  });
});
