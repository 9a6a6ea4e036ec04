import { useState } from 'preact/hooks';
import { api, type Session } from '../api.js';
import { TextField } from '../components/fields.js';
import { usePageTitle } from '../hooks.js';

/** Sign in with the API's login; the session is the HttpOnly cookie it sets. */
export function LoginPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const heading = usePageTitle('Sign in');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.login(username.trim(), password);
      onSignedIn(await api.session());
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  return (
    <main id="main" class="page narrow login">
      <h1 ref={heading} tabIndex={-1}>
        Sign in to audio-ingest
      </h1>
      <form onSubmit={submit} class="stack">
        <TextField
          label="Username"
          name="username"
          autocomplete="username"
          required
          value={username}
          onValue={setUsername}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="hint">
        Local mode: <code>npm start</code> prints the admin user's password the first time it runs.
      </p>
    </main>
  );
}
