import type { View } from './token';

/** What the address keeps: the org and the view (`#org=<uuid>&view=opportunities`; `?org=<uuid>` also opens an org). */
export interface Place {
  readonly orgId: string | null;
  readonly view: View | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VIEWS: readonly View[] = ['overview', 'opportunities', 'approvals', 'operations', 'effect'];

function placeIn(params: URLSearchParams): Place {
  const org = params.get('org');
  const view = params.get('view');
  return {
    orgId: org && UUID.test(org) ? org.toLowerCase() : null,
    view: VIEWS.find((v) => v === view) ?? null,
  };
}

/** The place in the hash, else the `?org=` of the query. */
export function readPlace(location: Pick<Location, 'hash' | 'search'> = window.location): Place {
  const fromHash = placeIn(new URLSearchParams(location.hash.replace(/^#/, '')));
  const fromQuery = placeIn(new URLSearchParams(location.search));
  return { orgId: fromHash.orgId ?? fromQuery.orgId, view: fromHash.view ?? fromQuery.view };
}

export function placeHash(place: Place): string {
  const params = new URLSearchParams();
  if (place.orgId) params.set('org', place.orgId);
  if (place.view) params.set('view', place.view);
  const text = params.toString();
  return text ? `#${text}` : '';
}

/** Records the place in the address without a navigation (a reload or a shared link opens it again). */
export function writePlace(place: Place): void {
  const hash = placeHash(place);
  if (hash === window.location.hash || (hash === '' && window.location.hash === '')) return;
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`);
}
