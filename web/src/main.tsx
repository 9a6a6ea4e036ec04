import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, isLocalMode, loadCapabilities, type Session, whenUnauthorized } from './api.js';
import { useRoute } from './hooks.js';
import { AdminPage } from './pages/admin.js';
import { ExecutionPage } from './pages/execution.js';
import { ExecutionsPage } from './pages/executions.js';
import { FilePage } from './pages/file.js';
import { LibraryPage } from './pages/library.js';
import { LoginPage } from './pages/login.js';
import { NotFoundPage } from './pages/not-found.js';
import { href, type Route } from './router.js';
import './styles.css';

/** The console: a session check, then the page the hash names, inside the header and nav. */
function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    whenUnauthorized(() => setSession({ authenticated: false }));
    Promise.all([api.session(), loadCapabilities()]).then(
      ([current]) => setSession(current),
      (failure: Error) => setError(failure.message),
    );
  }, []);

  if (error) {
    return (
      <main id="main" class="page narrow">
        <h1>The API did not answer</h1>
        <p role="alert">{error}</p>
      </main>
    );
  }
  if (!session) return <p class="loading">Loading…</p>;
  if (!session.authenticated) return <LoginPage onSignedIn={setSession} />;

  const signOut = async () => {
    await api.logout().catch(() => undefined);
    setSession({ authenticated: false });
  };
  return (
    <>
      <button type="button" class="skip-link" onClick={skipToMain}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={href.library()}>
          audio-ingest
        </a>
        <nav aria-label="Main">
          <NavLink route={route} to="library" label="Library" />
          {isLocalMode() ? <NavLink route={route} to="executions" label="Executions" /> : null}
          {session.is_admin ? <NavLink route={route} to="admin" label="Users" /> : null}
        </nav>
        <div class="who">
          <span>{session.username}</span>
          <button type="button" class="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
    </>
  );
}

/** A button, not `#main`: the hash is the router's. */
function skipToMain() {
  document.getElementById('main')?.focus();
}

function NavLink({ route, to, label }: { route: Route; to: 'library' | 'executions' | 'admin'; label: string }) {
  const active =
    route.page === to ||
    (to === 'library' && route.page === 'file') ||
    (to === 'executions' && route.page === 'execution');
  return (
    <a href={href[to]()} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case 'library':
      return <LibraryPage />;
    case 'file':
      return <FilePage key={route.filename} filename={route.filename} />;
    case 'executions':
      return <ExecutionsPage />;
    case 'execution':
      return <ExecutionPage key={route.name} name={route.name} />;
    case 'admin':
      return <AdminPage session={session} />;
    default:
      return <NotFoundPage path={route.path} />;
  }
}

render(<App />, document.getElementById('app')!);
