import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress } from '../../../lib/migrate/progress.js';

describe('progress line', () => {
  it('shows count, percentage, rate and ETA', () => {
    expect(formatProgress('audio', 250, 1000, 5000, 10)).toBe('audio [###-------] 250/1000 25% 50/s ETA 15s');
    expect(formatProgress('users', 10, 10, 1000, 4)).toBe('users [####] 10/10 100% 10/s ETA 0s');
  });
});

describe('progress output', () => {
  it('redraws one line on a terminal and prints plain lines otherwise', async () => {
    const capture = () => {
      let text = '';
      return {
        stream: {
          write: (chunk: string) => {
            text += chunk;
            return true;
          },
        } as unknown as NodeJS.WritableStream,
        text: () => text,
      };
    };
    let clock = 0;
    const tty = capture();
    const bar = createProgress({ stream: tty.stream, tty: true, now: () => clock });
    bar.start('audio', 100);
    clock = 1000;
    bar.tick(50);
    bar.done();
    const clear = '\r\u001b[2K';
    const redraw = `${clear}audio [############------------] 50/100 50% 50/s ETA 1s`;
    expect(tty.text()).toBe(`${redraw}${redraw}\n`);

    const plain = capture();
    const lines = createProgress({ stream: plain.stream, tty: false, intervalMs: 5000, now: () => clock });
    clock = 0;
    lines.start('users', 10);
    clock = 100;
    lines.tick(1);
    clock = 6000;
    lines.tick(1);
    lines.done();
    expect(plain.text()).not.toContain('\r');
    // The tick at 100 ms is inside the 5 s interval: only the 6 s tick and the final line print.
    const line = 'users [#####-------------------] 2/10 20% 0/s ETA 24s';
    expect(plain.text().trim().split('\n')).toEqual([line, line]);
  });
});
