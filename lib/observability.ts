import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Config } from './config.js';

/**
 * Logs, traces and metrics: the one place that makes the Powertools logger, tracer and metrics,
 * and the handler middlewares that use them. In Lambda the tracer records an X-Ray subsegment per
 * invocation and per AWS SDK call (clients pass through `tracer.captureAWSv3Client` in the AWS
 * composition root), and metrics go to CloudWatch as EMF lines on stdout. Locally the tracer is
 * off (a no-op) and metrics are debug log lines.
 */

const SERVICE_NAME = 'audio-ingest';
export const METRICS_NAMESPACE = 'audio-ingest';

/** The metrics the application emits; call sites say what happened, this module how it is recorded. */
export interface AppMetrics {
  /** RegisterUpload recorded an upload (row pending). */
  uploadRegistered(): void;
  /** A transcript was stored; `seconds` from the row entering `processing` to now, when known. */
  transcriptionCompleted(seconds?: number): void;
  /** A run ended `failed`; `reason` is the kind of failure (the error name Step Functions caught). */
  transcriptionFailed(reason: string): void;
  /** A login was refused for its credentials (unknown user or wrong password). */
  loginFailed(): void;
  /** The Powertools buffer `logMetrics` publishes after each invocation; absent when nothing is buffered. */
  readonly emf?: Metrics;
}

export interface Observability {
  logger: Logger;
  tracer: Tracer;
  metrics: AppMetrics;
}

/** Metric names and units, as they appear in CloudWatch. */
const METRICS = {
  uploadsRegistered: 'UploadsRegistered',
  transcriptionsCompleted: 'TranscriptionsCompleted',
  transcriptionsFailed: 'TranscriptionsFailed',
  transcriptionDuration: 'TranscriptionDuration',
  loginFailures: 'LoginFailures',
} as const;

function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return new Logger({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL });
}

/** AppMetrics buffered in Powertools Metrics and published as CloudWatch EMF. */
function emfMetrics(metrics: Metrics): AppMetrics {
  return {
    emf: metrics,
    uploadRegistered: () => metrics.addMetric(METRICS.uploadsRegistered, MetricUnit.Count, 1),
    transcriptionCompleted: (seconds) => {
      metrics.addMetric(METRICS.transcriptionsCompleted, MetricUnit.Count, 1);
      if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) {
        metrics.addMetric(METRICS.transcriptionDuration, MetricUnit.Seconds, seconds);
      }
    },
    // A metric of its own: the dimension must not attach to the other metrics of the invocation.
    transcriptionFailed: (reason) =>
      metrics
        .singleMetric()
        .addDimension('reason', reason || 'Unknown')
        .addMetric(METRICS.transcriptionsFailed, MetricUnit.Count, 1),
    loginFailed: () => metrics.addMetric(METRICS.loginFailures, MetricUnit.Count, 1),
  };
}

/** AppMetrics as debug log lines (local mode: no CloudWatch to read EMF). */
function loggedMetrics(logger: Logger): AppMetrics {
  const log = (name: string, value: number, unit: string, dimensions?: Record<string, string>) =>
    logger.debug('Metric', { metric: name, value, unit, ...(dimensions ? { dimensions } : {}) });
  return {
    uploadRegistered: () => log(METRICS.uploadsRegistered, 1, 'Count'),
    transcriptionCompleted: (seconds) => {
      log(METRICS.transcriptionsCompleted, 1, 'Count');
      if (seconds !== undefined) log(METRICS.transcriptionDuration, seconds, 'Seconds');
    },
    transcriptionFailed: (reason) => log(METRICS.transcriptionsFailed, 1, 'Count', { reason }),
    loginFailed: () => log(METRICS.loginFailures, 1, 'Count'),
  };
}

/**
 * Powertools' warnings go to our logger; "nothing to publish" is normal for most requests (a
 * metric is emitted only when something happened), so it is a debug line, not a warning.
 */
function metricsLogger(logger: Logger) {
  return {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) =>
      String(args[0]).startsWith('No application metrics to publish')
        ? logger.debug(String(args[0]))
        : logger.warn(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  };
}

/**
 * For Lambda: the tracer turns itself on only inside Lambda (AWS_EXECUTION_ENV), so the same
 * build is a no-op when a test or a developer runs it; metrics as EMF.
 */
export function awsObservability(config: Pick<Config, 'LOG_LEVEL'>, logger = createLogger(config)): Observability {
  // Every outgoing call is an AWS SDK call, traced per client; patching node:http would trace each twice.
  const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
    logger: metricsLogger(logger),
  });
  return { logger, tracer, metrics: emfMetrics(metrics) };
}

/** For local mode: tracing off, metrics as debug lines. */
export function localObservability(config: Pick<Config, 'LOG_LEVEL'>, logger = createLogger(config)): Observability {
  return { logger, tracer: new Tracer({ serviceName: SERVICE_NAME, enabled: false }), metrics: loggedMetrics(logger) };
}

// biome-ignore lint/suspicious/noExplicitAny: a middleware of every handler, whatever its event.
type AnyRequest = Request<any, any, Error, any>;
// biome-ignore lint/suspicious/noExplicitAny: as above.
type AnyMiddleware = MiddlewareObj<any, any, Error, any>;

let fallback: Logger | undefined;

/**
 * The logger of the deps, or, when they cannot be made (an invalid configuration), one that needs
 * none: Powertools reads LOG_LEVEL from the environment itself, so the error that says what to fix
 * still reaches the logs, and logging it never throws over it.
 */
export function safeLogger(getDeps: () => { logger: Logger }): Logger {
  try {
    return getDeps().logger;
  } catch {
    fallback ??= new Logger({ serviceName: SERVICE_NAME });
    return fallback;
  }
}

/**
 * Powertools' own middlewares (injectLambdaContext, captureLambdaHandler, logMetrics with the
 * cold-start metric) for the observability of the deps a handler is given. Each is made once
 * per observability on the first invocation: the deps are resolved then, not at import. Deps
 * that cannot be made fail the request in `before`; `after` and `onError` then have nothing to
 * finish, so they leave the request to the error handlers below instead of throwing over them.
 */
export function observability(getObservability: () => Observability): AnyMiddleware[] {
  const made = new WeakMap<Observability, AnyMiddleware[]>();
  const existing = (): AnyMiddleware[] => {
    try {
      return middlewares();
    } catch {
      return [];
    }
  };
  const middlewares = (): AnyMiddleware[] => {
    const current = getObservability();
    let list = made.get(current);
    if (!list) {
      list = [
        injectLambdaContext(current.logger, { resetKeys: true }) as AnyMiddleware,
        // Responses stay out of X-Ray: a login's carries the session token.
        captureLambdaHandler(current.tracer, { captureResponse: false }) as AnyMiddleware,
        ...(current.metrics.emf
          ? [logMetrics(current.metrics.emf, { captureColdStartMetric: true }) as AnyMiddleware]
          : []),
      ];
      made.set(current, list);
    }
    return list;
  };
  // One wrapper per Powertools middleware, so Middy orders their before/after/onError as its own.
  return [0, 1, 2].map(
    (index): AnyMiddleware => ({
      before: async (request: AnyRequest) => {
        await middlewares()[index]?.before?.(request);
      },
      after: async (request: AnyRequest) => {
        await existing()[index]?.after?.(request);
      },
      onError: async (request: AnyRequest) => {
        await existing()[index]?.onError?.(request);
      },
    }),
  );
}
