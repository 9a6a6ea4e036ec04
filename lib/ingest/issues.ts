// Apart from ./s3-events.ts, whose schemas the execution-status function has no use for.

/** The first few schema issues as `path: message`, for an error a person can act on. */
export function describeIssues(cause: unknown): string {
  const issues = Array.isArray(cause) ? (cause as { path?: PropertyKey[]; message?: string }[]) : [];
  if (issues.length === 0) return 'it matches neither shape';
  return issues
    .slice(0, 3)
    .map((issue) => `${(issue.path ?? []).map(String).join('.') || '(event)'}: ${issue.message ?? 'invalid'}`)
    .join('; ');
}
