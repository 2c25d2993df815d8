import { useEffect, useRef, useState } from 'preact/hooks';

import { api, errorMessage, setToken, type User } from './api';
import { Logo } from './icons';
import { Spinner } from './ui';

interface Props {
  // Why the user is here again (an expired session), shown above the form.
  notice: string | null;
  onLoggedIn: (user: User) => void;
}

export function Login({ notice, onLoggedIn }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => emailRef.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    // The editor's code is fetched while the password is checked (argon2id takes most of a login), not
    // after: the two waits overlap instead of adding up. A failure here is the editor's to report.
    import('./editor').catch(() => {});
    try {
      const { access_token } = await api.login(email.trim(), password);
      setToken(access_token);
      const user = await api.me();
      onLoggedIn(user);
    } catch (e) {
      setToken(null);
      setError(sentence(errorMessage(e)));
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <div class="brand brand-large">
          <Logo size={28} />
          <span>superstore</span>
        </div>
        <h1 id="login-title">Log in to the console</h1>
        {notice && (
          <p class="notice notice-info" role="status" data-testid="login-notice">
            {notice}
          </p>
        )}
        <label for="login-email">Email</label>
        <input
          id="login-email"
          ref={emailRef}
          type="email"
          name="username"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
        />
        <p class="form-error" role="alert" data-testid="login-error">
          {error}
        </p>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || !email || !password}>
          {busy ? (
            <>
              <Spinner /> Logging in…
            </>
          ) : (
            'Log in'
          )}
        </button>
      </form>
    </main>
  );
}

// The server's messages are lower-case clauses ("incorrect email or password"); a form shows sentences.
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
