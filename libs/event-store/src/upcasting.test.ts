import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from './event-store.port.js';
import { InvalidUpcasterError, UpcasterRegistry, type Upcaster } from './upcasting.js';

const v1ToV2: Upcaster = {
  fromType: 'widget.added.v1',
  toType: 'widget.added.v2',
  upcast: ({ data }) => ({ data: { title: (data as { name: string }).name } }),
};
const v2ToV3: Upcaster = {
  fromType: 'widget.added.v2',
  toType: 'widget.added.v3',
  upcast: ({ data, metadata }) => ({ data: { ...(data as object), size: 0 }, metadata: { ...metadata, command: 'migrated' } }),
};

const stored = (type: string, data: unknown): RecordedEvent => ({
  type,
  data,
  metadata: {
    eventId: 'e',
    correlationId: 'c',
    causationId: null,
    actor: { kind: 'system', id: 's' },
    occurredAt: '2024-01-01T00:00:00.000Z',
  },
  streamName: 'widget-1',
  streamRevision: 4n,
  position: { commit: 9n, prepare: 12n },
});

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry([v2ToV3, v1ToV2]);

  it('follows the chain to the newest version, keeping stream and position', () => {
    const event = registry.upcast(stored('widget.added.v1', { name: 'w' }));
    expect(event).toMatchObject({
      type: 'widget.added.v3',
      data: { title: 'w', size: 0 },
      streamRevision: 4n,
      position: { commit: 9n, prepare: 12n },
    });
    expect(event.metadata.command).toBe('migrated');
  });

  it('leaves events without an upcaster untouched', () => {
    const event = stored('widget.removed.v1', { id: 1 });
    expect(registry.upcast(event)).toBe(event);
  });

  it('maps a type filter to every stored type that reads as a wanted type', () => {
    expect(registry.storedTypesFor(['widget.added.v3']).sort()).toEqual(['widget.added.v1', 'widget.added.v2', 'widget.added.v3']);
    expect(registry.storedTypesFor(['widget.added.v1', 'other.v1'])).toEqual(['other.v1']);
  });

  it('refuses two upcasters for one stored type, cycles and self-maps', () => {
    expect(() => new UpcasterRegistry([v1ToV2, { ...v1ToV2, toType: 'widget.added.v9' }])).toThrow(InvalidUpcasterError);
    expect(() => new UpcasterRegistry([v1ToV2, { ...v2ToV3, toType: 'widget.added.v1' }])).toThrow(/cycle/);
    expect(() => new UpcasterRegistry([{ ...v1ToV2, toType: 'widget.added.v1' }])).toThrow(InvalidUpcasterError);
  });
});
