import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../lib/migrate/progress.js';

/** A stream that records what is written, as a terminal (`isTTY`) or as a pipe. */
function capture(tty: boolean) {
  let text = '';
  const stream = {
    isTTY: tty,
    columns: 100,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    // cli-progress moves the cursor through node:readline, which calls these on a terminal.
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
  } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { stream, text: () => text };
}

describe('migration progress', () => {
  it('draws a bar with the count, percentage, rate and ETA on a terminal', () => {
    const tty = capture(true);
    const bar = createProgress({ stream: tty.stream });
    bar.start('audio', 200);
    bar.tick(50);
    bar.done();
    expect(tty.text()).toMatch(/audio \[={6}-{18}\] 50\/200 25% \d+\/s ETA /);
  });

  it('prints plain lines, without carriage returns or escapes, when not a terminal', () => {
    const plain = capture(false);
    const lines = createProgress({ stream: plain.stream, intervalMs: 60_000 });
    lines.start('users', 10);
    lines.tick(4);
    lines.done();
    expect(plain.text()).not.toContain('\r');
    expect(plain.text()).not.toContain('\u001b');
    const printed = plain.text().trim().split('\n');
    expect(printed.at(-1)).toMatch(/^users \[.{24}\] 4\/10 40% \d+\/s ETA /);
  });

  it('grows a total that was only an estimate, and prints nothing when quiet', () => {
    const plain = capture(false);
    const bar = createProgress({ stream: plain.stream });
    bar.start('items', 5);
    bar.tick(8);
    bar.done();
    expect(plain.text().trim().split('\n').at(-1)).toMatch(/ 8\/8 100% /);
    const quiet = capture(false);
    const silent = createProgress({ stream: quiet.stream, quiet: true });
    silent.start('x', 1);
    silent.tick(1);
    silent.done();
    expect(quiet.text()).toBe('');
  });
});
