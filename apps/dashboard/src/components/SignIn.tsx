import { type FormEvent, useId, useState } from 'react';
import { principalOf, type Principal } from '../token';

export interface SignInProps {
  readonly onSignIn: (token: string, principal: Principal, remember: boolean) => void;
}

/** Paste a user or service token; it stays in memory unless "Remember on this device" is ticked. */
export function SignIn({ onSignIn }: SignInProps) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tokenId = useId();
  const rememberId = useId();
  const errorId = useId();

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = token.trim();
    if (!trimmed) return setError('Paste an access token first.');
    const principal = principalOf(trimmed);
    if (principal instanceof Error) return setError(principal.message);
    if (principal.views.length === 0) {
      return setError(
        'This service token grants no dashboard view (it needs maos:read for the operator views, ops:read for operations or analytics:read for effect).',
      );
    }
    setError(null);
    onSignIn(trimmed, principal, remember);
  }

  return (
    <section className="rd-signin" aria-labelledby={`${tokenId}-heading`}>
      <h2 id={`${tokenId}-heading`}>Sign in</h2>
      <form onSubmit={submit} noValidate>
        <div className="rd-field">
          <label htmlFor={tokenId}>Access token (an org owner's or admin's user token, or a service token)</label>
          <textarea
            id={tokenId}
            data-testid="token-input"
            rows={4}
            spellCheck={false}
            autoComplete="off"
            value={token}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(event) => setToken(event.target.value)}
          />
        </div>
        <div className="rd-check">
          <input id={rememberId} type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
          <label htmlFor={rememberId}>Remember on this device</label>
        </div>
        {error ? (
          <p id={errorId} className="rd-problem" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" data-testid="sign-in">
          Sign in
        </button>
      </form>
      <p className="rd-hint">
        The token is only kept in this tab&apos;s memory (and in this browser&apos;s storage when you tick the box); signing out forgets it.
      </p>
    </section>
  );
}
