import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createApiClient, type TokenProvider } from './api';
import { ApprovalsView } from './components/Approvals';
import { Charts } from './components/Charts';
import { EffectView } from './components/Effect';
import { OperationsView } from './components/Operations';
import { OpportunitiesView } from './components/Opportunities';
import { type OrgChoice, OrgPicker } from './components/OrgPicker';
import { SignIn } from './components/SignIn';
import { HeadlineFigures } from './components/Summary';
import { readPlace, writePlace } from './location';
import { deviceStorage, type Principal, principalOf, REMEMBER_KEY, type View, VIEW_LABELS } from './token';
import './dashboard.css';

export interface RevenueDashboardProps {
  /** The service's origin (and path prefix, if any), e.g. "https://revenue.example.com"; "" for the page's own origin. */
  readonly apiBaseUrl: string;
  /** The host app's token provider: when given, the dashboard shows no sign-in and asks it for a token before each request. */
  readonly getToken?: TokenProvider;
}

interface Session {
  readonly token: string;
  readonly principal: Principal;
}

type SessionState =
  | { readonly status: 'pending' }
  | { readonly status: 'signed-out' }
  | { readonly status: 'error'; readonly message: string }
  | ({ readonly status: 'signed-in' } & Session);

/** A remembered token that is still usable, or null (an unusable one is forgotten). */
function rememberedSession(): Session | null {
  const storage = deviceStorage();
  const token = storage?.getItem(REMEMBER_KEY);
  if (!token) return null;
  const principal = principalOf(token);
  if (principal instanceof Error || principal.views.length === 0) {
    storage?.removeItem(REMEMBER_KEY);
    return null;
  }
  return { token, principal };
}

const ORG_VIEWS: readonly View[] = ['overview', 'opportunities'];

/** The revenue dashboard: sign-in (unless the host provides tokens), org picker, figures, charts, opportunities, approvals, operations, effect. */
export function RevenueDashboard({ apiBaseUrl, getToken }: RevenueDashboardProps) {
  const [session, setSession] = useState<SessionState>(() => {
    if (getToken) return { status: 'pending' };
    const remembered = rememberedSession();
    return remembered ? { status: 'signed-in', ...remembered } : { status: 'signed-out' };
  });
  const [place, setPlace] = useState(() => readPlace());
  const [org, setOrg] = useState<OrgChoice | null>(() => (place.orgId ? { orgId: place.orgId, name: '' } : null));
  const [choosingOrg, setChoosingOrg] = useState(false);
  const tokenRef = useRef('');
  tokenRef.current = session.status === 'signed-in' ? session.token : '';

  // A host-provided token: decoded once to choose the views (the provider is still asked before each request).
  useEffect(() => {
    if (!getToken) return undefined;
    let live = true;
    Promise.resolve()
      .then(getToken)
      .then(
        (token) => {
          if (!live) return;
          const principal = principalOf(token);
          setSession(
            principal instanceof Error ? { status: 'error', message: principal.message } : { status: 'signed-in', token, principal },
          );
        },
        (error: unknown) => live && setSession({ status: 'error', message: `No token from the host app: ${String(error)}` }),
      );
    return () => {
      live = false;
    };
  }, [getToken]);

  // The address follows the org and view; editing the hash (or a link to it) opens that org and view.
  useEffect(() => {
    const onHash = () => {
      const next = readPlace();
      setPlace(next);
      if (next.orgId) setOrg((current) => (current?.orgId === next.orgId ? current : { orgId: next.orgId!, name: '' }));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const provider = useCallback<TokenProvider>(() => (getToken ? getToken() : tokenRef.current), [getToken]);
  const api = useMemo(() => createApiClient(apiBaseUrl, provider), [apiBaseUrl, provider]);

  const principal = session.status === 'signed-in' ? session.principal : null;
  const views = principal?.views ?? [];
  const view: View | null = place.view && views.includes(place.view) ? place.view : (views[0] ?? null);

  useEffect(() => {
    if (principal) writePlace({ orgId: org?.orgId ?? null, view });
  }, [principal, org, view]);

  function signIn(token: string, signedIn: Principal, remember: boolean) {
    const storage = deviceStorage();
    if (remember) storage?.setItem(REMEMBER_KEY, token);
    else storage?.removeItem(REMEMBER_KEY);
    setSession({ status: 'signed-in', token, principal: signedIn });
  }

  function signOut() {
    deviceStorage()?.removeItem(REMEMBER_KEY);
    setSession({ status: 'signed-out' });
  }

  function chooseOrg(choice: OrgChoice) {
    setOrg(choice);
    setChoosingOrg(false);
  }

  return (
    <div className="rd">
      <header className="rd-header">
        <h1>Revenue Engine</h1>
        {principal ? (
          <div className="rd-who">
            <span>
              {principal.kind === 'user' ? 'User' : 'Service'} <code>{principal.sub}</code>
              {principal.kind === 'service' ? ` (${principal.scopes.join(' ')})` : ''}
            </span>
            {getToken ? null : (
              <button type="button" data-testid="sign-out" onClick={signOut}>
                Sign out
              </button>
            )}
          </div>
        ) : null}
      </header>
      {session.status === 'signed-out' ? <SignIn onSignIn={signIn} /> : null}
      {session.status === 'pending' ? <p role="status">Signing in…</p> : null}
      {session.status === 'error' ? (
        <p className="rd-problem" role="alert">
          {session.message}
        </p>
      ) : null}
      {principal && view ? (
        <>
          <nav className="rd-nav" aria-label="Dashboard views">
            {views.map((v) => (
              <button
                key={v}
                type="button"
                data-testid={`nav-${v}`}
                aria-current={v === view ? 'page' : undefined}
                onClick={() => setPlace((p) => ({ ...p, view: v }))}
              >
                {VIEW_LABELS[v]}
              </button>
            ))}
          </nav>
          <main className="rd-main">
            {ORG_VIEWS.includes(view) ? (
              <OrgViews
                api={api}
                principal={principal}
                view={view}
                org={org}
                choosingOrg={choosingOrg || org === null}
                onChooseOrg={chooseOrg}
                onChangeOrg={() => setChoosingOrg(true)}
              />
            ) : null}
            {view === 'approvals' ? <ApprovalsView api={api} canApprove={principal.canApprove} /> : null}
            {view === 'operations' ? <OperationsView api={api} /> : null}
            {view === 'effect' ? <EffectView api={api} /> : null}
          </main>
        </>
      ) : null}
    </div>
  );
}

function OrgViews({
  api,
  principal,
  view,
  org,
  choosingOrg,
  onChooseOrg,
  onChangeOrg,
}: {
  api: ReturnType<typeof createApiClient>;
  principal: Principal;
  view: View;
  org: OrgChoice | null;
  choosingOrg: boolean;
  onChooseOrg: (org: OrgChoice) => void;
  onChangeOrg: () => void;
}) {
  if (choosingOrg || !org) {
    return principal.orgSource ? (
      <OrgPicker api={api} source={principal.orgSource} selectedOrgId={org?.orgId ?? null} onSelect={onChooseOrg} />
    ) : null;
  }
  return (
    <>
      <div className="rd-orgbar">
        <p>
          Organization: <strong data-testid="current-org">{org.name || org.orgId}</strong>
        </p>
        <button type="button" data-testid="change-org" onClick={onChangeOrg}>
          Change organization
        </button>
      </div>
      {view === 'overview' ? (
        <div key={org.orgId}>
          <HeadlineFigures api={api} orgId={org.orgId} />
          <Charts api={api} orgId={org.orgId} />
        </div>
      ) : (
        <OpportunitiesView key={org.orgId} api={api} orgId={org.orgId} />
      )}
    </>
  );
}
