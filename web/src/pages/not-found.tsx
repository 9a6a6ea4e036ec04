import { usePageTitle } from '../hooks.js';
import { href } from '../router.js';

export function NotFoundPage({ path }: { path: string }) {
  const heading = usePageTitle('Not found');
  return (
    <div class="page">
      <h1 ref={heading} tabIndex={-1}>
        Nothing here
      </h1>
      <p>
        The console has no page at <code>{path}</code>. Go to the <a href={href.library()}>library</a>.
      </p>
    </div>
  );
}
