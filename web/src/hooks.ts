import { useEffect, useRef, useState } from 'preact/hooks';
import { type Poller, startPoller } from './poll.js';
import { parseRoute, type Route } from './router.js';

/** The current time, refreshed every `ms` while the page is shown (for "in status for 2 min"). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setNow(Date.now());
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * Polls with backoff while mounted, paused while the tab is hidden; `tick` answers whether work
 * is in flight (poll fast) and always sees the latest props. Restarts when `key` changes.
 */
export function usePoller(tick: () => Promise<boolean>, key: unknown): { poke(): void } {
  const latest = useRef(tick);
  latest.current = tick;
  const poller = useRef<Poller | undefined>(undefined);
  useEffect(() => {
    poller.current = startPoller(() => latest.current(), {
      visible: () => document.visibilityState === 'visible',
      onVisibility: (listener) => {
        document.addEventListener('visibilitychange', listener);
        return () => document.removeEventListener('visibilitychange', listener);
      },
    });
    return () => poller.current?.stop();
  }, [key]);
  return { poke: () => poller.current?.poke() };
}

/** Sets the document title and moves focus to the page's heading, so a screen reader hears the new page. */
export function usePageTitle(title: string): { current: HTMLHeadingElement | null } {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · audio-ingest`;
  }, [title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return heading;
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
