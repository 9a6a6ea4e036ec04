import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The project name every resource name starts with: `<project>-<environment>-…`. */
export const PROJECT = 'audio-ingest';

export const ENVIRONMENTS = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** What differs between environments; everything else is the same stack. */
export interface EnvironmentSettings {
  name: EnvironmentName;
  /** `<project>-<environment>`, the prefix of every physical name. */
  prefix: string;
  /** Stateful resources (table, buckets, secrets): kept in prod, removed with the stack in dev. */
  removalPolicy: RemovalPolicy;
  pointInTimeRecovery: boolean;
  logRetention: RetentionDays;
  /** HTTP API default route throttling. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Origins allowed to call the API and to PUT presigned uploads from a browser. */
  corsOrigins: string[];
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

const settings: Record<EnvironmentName, Omit<EnvironmentSettings, 'name' | 'prefix'>> = {
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    pointInTimeRecovery: false,
    logRetention: RetentionDays.TWO_WEEKS,
    throttle: { rateLimit: 20, burstLimit: 40 },
    corsOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
    logLevel: 'DEBUG',
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    pointInTimeRecovery: true,
    logRetention: RetentionDays.THREE_MONTHS,
    throttle: { rateLimit: 100, burstLimit: 200 },
    // Same-origin only until a front-end origin is given with -c allowedOrigins=https://…
    corsOrigins: [],
    logLevel: 'INFO',
  },
};

/**
 * Resolves the `environment` context value (`-c environment=prod`). An unknown value is an error
 * that lists the accepted ones, so a typo never deploys a half-configured stack.
 */
export function environmentSettings(value: unknown, allowedOrigins?: unknown): EnvironmentSettings {
  const name = value ?? 'dev';
  if (typeof name !== 'string' || !(ENVIRONMENTS as readonly string[]).includes(name)) {
    throw new Error(
      `Unknown environment ${JSON.stringify(name)}: pass -c environment=dev or -c environment=prod (accepted: ${ENVIRONMENTS.join(', ')}).`,
    );
  }
  const env = name as EnvironmentName;
  const base = settings[env];
  return {
    ...base,
    name: env,
    prefix: `${PROJECT}-${env}`,
    corsOrigins: parseOrigins(allowedOrigins) ?? base.corsOrigins,
  };
}

/** `-c allowedOrigins=https://a.example,https://b.example` → list; each must be an http(s) origin. */
function parseOrigins(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  const origins = list.map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new Error(
        `allowedOrigins: ${JSON.stringify(origin)} is not an origin; use e.g. https://app.example.com (no path).`,
      );
    }
  }
  return origins;
}
