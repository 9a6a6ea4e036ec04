import { expect, it } from 'vitest';
import { formatAge, formatBytes, formatDuration, formatMs } from '../../../web/src/format.js';

it('formats sizes in powers of 1,024', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(1023)).toBe('1023 B');
  expect(formatBytes(1536)).toBe('1.5 KB');
  expect(formatBytes(42 * 1024 * 1024)).toBe('42 MB');
  expect(formatBytes(null)).toBe('—');
});

it('formats durations as m:ss or h:mm:ss, and unknown as a dash', () => {
  expect(formatDuration(5)).toBe('0:05');
  expect(formatDuration(125)).toBe('2:05');
  expect(formatDuration(3 * 3600 + 7)).toBe('3:00:07');
  expect(formatDuration(null)).toBe('—');
});

it('formats run times from milliseconds to hours', () => {
  expect(formatMs(850)).toBe('850 ms');
  expect(formatMs(2400)).toBe('2.4 s');
  expect(formatMs(42_000)).toBe('42 s');
  expect(formatMs(185_000)).toBe('3 min 5 s');
  expect(formatMs(2 * 3_600_000 + 60_000)).toBe('2 h 1 min');
});

it('formats how long ago, coarser as it grows', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  expect(formatAge('2026-01-01T23:59:55Z', now)).toBe('5 s');
  expect(formatAge('2026-01-01T23:57:00Z', now)).toBe('3 min');
  expect(formatAge('2026-01-01T21:00:00Z', now)).toBe('3 h');
  expect(formatAge('2025-12-29T00:00:00Z', now)).toBe('4 d');
  expect(formatAge('not a time', now)).toBe('—');
});
