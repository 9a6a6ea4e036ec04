import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of a real wire-protocol server (s3rver, dynalite) that can make
 * every request fail the way the AWS service or the network does: a refused connection (nothing
 * listens on the port), a request that is never answered, or a recorded error answer. The functions under test point at the proxy
 * and never know. Hand-written: a few lines over node:http, no library does fault injection
 * at this level.
 */

export type Fault =
  | { kind: 'refused' }
  | { kind: 'stall' }
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: string };

/** Nothing listening: the client gets ECONNREFUSED, as when an endpoint is down. */
export const REFUSED: Fault = { kind: 'refused' };

/**
 * The request is taken and never answered (an overloaded service, a black-holed route): the
 * caller waits until its own deadline. `clear()` drops the connections held so far.
 */
export const STALL: Fault = { kind: 'stall' };

/**
 * S3's 503 "SlowDown", as the Amazon S3 API reference "Error responses" (ErrorResponses.html)
 * lists it: `SlowDown` — "Please reduce your request rate." — HTTP 503, XML error body.
 */
export const S3_SLOW_DOWN: Fault = {
  kind: 'answer',
  status: 503,
  headers: { 'content-type': 'application/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>fault-proxy</HostId></Error>',
};

/** A DynamoDB error as the developer guide "Error handling with DynamoDB" shows it: HTTP 400, JSON 1.0 `__type` + `message`. */
function dynamoError(type: string, message: string): Fault {
  return {
    kind: 'answer',
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
  };
}

export const DYNAMODB_THROUGHPUT_EXCEEDED = dynamoError(
  'ProvisionedThroughputExceededException',
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
);
export const DYNAMODB_THROTTLING = dynamoError(
  'ThrottlingException',
  'Rate of requests exceeds the allowed throughput.',
);
/**
 * The message follows the access denied format of the IAM User Guide, "Troubleshoot access denied
 * error messages" (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):
 * "User <arn> is not authorized to perform <action> on resource <arn> because no identity-based
 * policy allows the <action> action". The role, table and account are this stack's names, not a capture.
 */
export const DYNAMODB_ACCESS_DENIED = dynamoError(
  'AccessDeniedException',
  'User: arn:aws:sts::111122223333:assumed-role/audio-ingest-dev-start-transcription/fn is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/audio-ingest-dev because no identity-based policy allows the dynamodb:GetItem action',
);

export interface FaultProxy {
  url: string;
  /** Requests are forwarded here (settable: the upstream may start after the proxy). */
  upstream: string;
  /** Every request fails with `fault` until `clear()`. */
  fail(fault: Fault): Promise<void>;
  clear(): Promise<void>;
  /** Requests answered with a recorded error so far. */
  readonly answeredWithFault: number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port, forwarding to `upstream`. */
export async function startFaultProxy(upstream = ''): Promise<FaultProxy> {
  let fault: Fault | undefined;
  let answered = 0;
  const held = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (fault?.kind === 'stall') {
      req.resume();
      held.add(res);
      return;
    }
    if (fault?.kind === 'answer') {
      answered += 1;
      req.resume();
      res.writeHead(fault.status, { ...fault.headers, 'x-amz-request-id': randomUUID() });
      res.end(req.method === 'HEAD' ? undefined : fault.body);
      return;
    }
    const target = new URL(req.url ?? '/', proxy.upstream);
    const forward = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    forward.on('error', (error) => res.destroy(error));
    req.pipe(forward);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;

  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}`,
    upstream,
    async fail(next) {
      fault = next;
      if (next.kind === 'refused' && listening) {
        listening = false;
        await stop();
      }
    },
    async clear() {
      fault = undefined;
      for (const res of held) res.destroy();
      held.clear();
      if (!listening) {
        await listen(port);
        listening = true;
      }
    },
    get answeredWithFault() {
      return answered;
    },
    async close() {
      if (listening) await stop();
      listening = false;
    },
  };
  return proxy;
}
