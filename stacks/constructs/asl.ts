import { readFileSync } from 'node:fs';

/** `${Name}` placeholders of an ASL file, in order of first appearance, each once. */
export function aslPlaceholders(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]!))];
}

/** `register-upload` → `RegisterUploadFunctionArn`, the placeholder the ASL uses for that Task. */
export function functionArnPlaceholder(taskFile: string): string {
  const pascal = taskFile
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${pascal}FunctionArn`;
}

/**
 * Builds `definitionSubstitutions` by scanning the ASL file, so every placeholder it contains is
 * covered. A placeholder with no value is a synth error naming it and the values on offer.
 */
export function aslSubstitutions(aslPath: string, values: Record<string, string>): Record<string, string> {
  const placeholders = aslPlaceholders(readFileSync(aslPath, 'utf8'));
  const missing = placeholders.filter((name) => !(name in values));
  if (missing.length) {
    throw new Error(
      `${aslPath} uses \${${missing.join('}, ${')}} but the stack provides only ${Object.keys(values).join(', ')}. Add a function (functions/ingest/<name>.ts → <Name>FunctionArn) or fix the placeholder.`,
    );
  }
  return Object.fromEntries(placeholders.map((name) => [name, values[name]!]));
}

/**
 * The ASL file's top-level `TimeoutSeconds`, which bounds every execution: StateMachine's own
 * `timeout` is not applied to a definition loaded from a file, so a file without one is a synth
 * error rather than a state machine whose executions may run for a year.
 */
export function aslTimeoutSeconds(aslPath: string): number {
  const { TimeoutSeconds: timeout } = JSON.parse(readFileSync(aslPath, 'utf8')) as { TimeoutSeconds?: unknown };
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) {
    throw new Error(
      `${aslPath} has no top-level "TimeoutSeconds" (found ${JSON.stringify(timeout)}). Add one, e.g. "TimeoutSeconds": 21600 for 6 hours, so no execution can run unbounded.`,
    );
  }
  return timeout;
}
