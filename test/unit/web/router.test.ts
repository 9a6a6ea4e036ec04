import { expect, it } from 'vitest';
import { href, parseRoute } from '../../../web/src/router.js';

it('round-trips every page through its hash, names with spaces and slashes included', () => {
  expect(parseRoute(href.library())).toEqual({ page: 'library' });
  expect(parseRoute('')).toEqual({ page: 'library' });
  expect(parseRoute(href.file('talks/2024 keynote (final).mp3'))).toEqual({
    page: 'file',
    filename: 'talks/2024 keynote (final).mp3',
  });
  expect(parseRoute(href.executions())).toEqual({ page: 'executions' });
  expect(parseRoute(href.execution('song-wav-5c321c2ff382'))).toEqual({
    page: 'execution',
    name: 'song-wav-5c321c2ff382',
  });
  expect(parseRoute(href.admin())).toEqual({ page: 'admin' });
});

it('answers not-found for an unknown path or broken percent-encoding', () => {
  expect(parseRoute('#/nope')).toEqual({ page: 'not-found', path: '/nope' });
  expect(parseRoute('#/files/%E0%A4%A')).toEqual({ page: 'not-found', path: '/files/%E0%A4%A' });
});
