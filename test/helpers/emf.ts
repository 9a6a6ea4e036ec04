import { vi } from 'vitest';

/** One CloudWatch Embedded Metric Format document, as Powertools writes it to stdout. */
export interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

/**
 * Collects the EMF documents written to stdout until `stop()` (in Lambda, stdout goes to
 * CloudWatch Logs, which turns these lines into metrics); they are kept from the terminal, any
 * other output passes through.
 */
export function startEmfCapture(): { lines: EmfLine[]; stop(): void } {
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    let metrics = false;
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Partial<EmfLine>;
        if (parsed._aws?.CloudWatchMetrics) {
          lines.push(parsed as EmfLine);
          metrics = true;
        }
      } catch {
        // not JSON: someone else's output
      }
    }
    return metrics ? true : (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  return { lines, stop: () => spy.mockRestore() };
}

/** Runs `action` and returns the EMF documents written to stdout meanwhile. */
export async function captureEmf(action: () => Promise<unknown>): Promise<EmfLine[]> {
  const capture = startEmfCapture();
  try {
    await action();
  } finally {
    capture.stop();
  }
  return capture.lines;
}

/** The metric values of the EMF lines, by metric name (a name in several lines gives several values). */
export function metricValues(lines: EmfLine[]): Record<string, unknown[]> {
  const values: Record<string, unknown[]> = {};
  for (const line of lines) {
    for (const directive of line._aws.CloudWatchMetrics) {
      for (const metric of directive.Metrics) {
        values[metric.Name] = [...(values[metric.Name] ?? []), line[metric.Name]];
      }
    }
  }
  return values;
}
