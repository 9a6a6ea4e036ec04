import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback endpoint speaking the AWS JSON protocol, for services with no local server
 * (Transcribe, the Step Functions API). Written by hand: no maintained emulator of either runs
 * offline without Docker.
 *
 * Wire format, from the Smithy "AWS JSON 1.0/1.1 protocol" pages (smithy.io, aws/protocols):
 * every call is `POST /` with `X-Amz-Target: <TargetPrefix>.<Operation>` and a JSON body of the
 * input members; success is HTTP 200 with the output members as JSON; an error is a 4xx/5xx with
 * body `{"__type": "<ErrorName>", "message": "…"}` (clients read the name from `__type` or the
 * `X-Amzn-ErrorType` header). Timestamps are epoch seconds.
 */

/** An error answer, as the API reference lists it for the operation. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Operation = (input: Record<string, unknown>) => unknown | Promise<unknown>;

export interface AwsJsonEndpoint {
  url: string;
  /** Every call received, in order: `{ operation, input }`. */
  calls: { operation: string; input: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** Starts the endpoint on 127.0.0.1 (free port) for `X-Amz-Target: <prefix>.<operation>` calls. */
export async function startAwsJsonEndpoint(options: {
  targetPrefix: string;
  /** `1.0` (Step Functions) or `1.1` (Transcribe). */
  version: '1.0' | '1.1';
  operations: Record<string, Operation>;
}): Promise<AwsJsonEndpoint> {
  const calls: AwsJsonEndpoint['calls'] = [];
  const contentType = `application/x-amz-json-${options.version}`;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), ...headers });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(`${options.targetPrefix}.`)
        ? target.slice(options.targetPrefix.length + 1)
        : '';
      const run = options.operations[operation];
      if (req.method !== 'POST' || !run) {
        answer(400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
        return;
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ operation, input });
      Promise.resolve()
        .then(() => run(input))
        .then(
          (output) => answer(200, output ?? {}),
          (error: unknown) => {
            if (!(error instanceof AwsJsonError)) {
              answer(500, { __type: 'InternalFailureException', message: String(error) });
              return;
            }
            answer(error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type });
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Epoch seconds, the JSON protocols' timestamp format. */
export const epochSeconds = (date = new Date()) => date.getTime() / 1000;
