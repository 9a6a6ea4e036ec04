import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { PayloadTooLargeError, UnsupportedMediaError, ValidationError } from '../errors.js';
import type { BodyType } from './route.js';

/**
 * Request bodies: @middy/http-json-body-parser and @middy/http-multipart-body-parser, each behind
 * a size check (413) that runs before any parsing, with their terse 415/422 errors replaced by
 * messages that name the fix (malformed content is a 400: the media type was right, the content
 * was not). No body leaves `event.body` undefined for the route's schema to judge.
 */

type BodyRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
type BodyMiddleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** JSON bodies are small documents; anything larger is refused before parsing. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

/** Lambda's limit for a synchronous invocation's payload, the event itself (6 MB). */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Room left in the event for everything but the body: headers, cookies, query, requestContext. */
const EVENT_ENVELOPE_BYTES = 64 * 1024;

/**
 * The largest multipart body a Lambda behind an HTTP API can be sent: API Gateway base64-encodes
 * it (4 bytes per 3) into an event that must stay within the 6 MB invocation payload.
 */
export const MAX_MULTIPART_BODY_BYTES = Math.floor((LAMBDA_PAYLOAD_BYTES - EVENT_ENVELOPE_BYTES) / 4) * 3;

/** Where a client sends a file too large for a request body. */
export const LARGE_UPLOAD_ROUTE = 'POST /api/audio/upload-url';

/** A file part of a multipart body, as @middy/http-multipart-body-parser hands it over. */
export const filePart = z
  .object({
    filename: z.string(),
    mimetype: z.string(),
    encoding: z.string(),
    truncated: z.boolean().optional(),
    content: z.instanceof(Buffer),
  })
  .meta({ description: 'A file part of the multipart body.' });

/** The body middleware for a route's body type. */
export function bodyParser(type: BodyType): BodyMiddleware {
  return type === 'multipart' ? multipartBody() : jsonBody();
}

function jsonBody(): BodyMiddleware {
  const parser = httpJsonBodyParser() as unknown as BodyMiddleware;
  return {
    before: async (request: BodyRequest) => {
      if (noBody(request)) return;
      const bytes = bodyBytes(request.event);
      if (bytes > MAX_JSON_BODY_BYTES) {
        throw new PayloadTooLargeError(`Request body is ${bytes} bytes; the limit is ${MAX_JSON_BODY_BYTES} bytes.`);
      }
      await parse(parser, request, {
        415: `Unsupported content type ${contentTypeOf(request.event)}: send the body as JSON with Content-Type: application/json.`,
        422: 'Invalid JSON in the request body: send a well-formed JSON object.',
      });
    },
  };
}

function multipartBody(): BodyMiddleware {
  // Loaded on the first multipart request: no other route of a function pays for busboy at cold start.
  let parser: Promise<BodyMiddleware> | undefined;
  const load = async () => {
    const { default: httpMultipartBodyParser } = await import('@middy/http-multipart-body-parser');
    return httpMultipartBodyParser({
      busboy: { limits: { fileSize: MAX_MULTIPART_BODY_BYTES, files: 10, fields: 100 } },
    }) as unknown as BodyMiddleware;
  };
  return {
    before: async (request: BodyRequest) => {
      if (noBody(request)) return;
      const bytes = bodyBytes(request.event);
      if (bytes > MAX_MULTIPART_BODY_BYTES) {
        throw new PayloadTooLargeError(
          `Request body is ${bytes} bytes; an upload through the API takes at most ${MAX_MULTIPART_BODY_BYTES} bytes ` +
            `(what a Lambda behind API Gateway can be sent). Upload larger files to a presigned URL from ${LARGE_UPLOAD_ROUTE}.`,
        );
      }
      if (!hasClosingBoundary(request.event)) {
        throw new ValidationError(
          'Invalid multipart/form-data body: it ends before its closing boundary (--<boundary>--); send the whole form.',
        );
      }
      parser ??= load();
      await parse(await parser, request, {
        415: `Unsupported content type ${contentTypeOf(request.event)}: send the body as multipart/form-data with a boundary of letters, digits and "-".`,
        422: 'Invalid multipart/form-data body: send well-formed parts (a form with a file field).',
      });
    },
  };
}

async function parse(parser: BodyMiddleware, request: BodyRequest, messages: Record<415 | 422, string>) {
  try {
    await parser.before?.(request);
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 415) throw new UnsupportedMediaError(messages[415]);
    if (status === 413) throw new PayloadTooLargeError(`A file part is over ${MAX_MULTIPART_BODY_BYTES} bytes.`);
    const key = (error as { cause?: { data?: unknown } }).cause?.data;
    if ((error as Error).message === 'Forbidden key in JSON body') {
      throw new ValidationError(`Invalid request body: the key ${JSON.stringify(key)} is not allowed.`);
    }
    throw new ValidationError(messages[422]);
  }
}

/** The boundary parameter in the form @middy/http-multipart-body-parser accepts (it answers 415 to others). */
const BOUNDARY = /^multipart\/form-data; boundary=([a-zA-Z0-9-]{1,70})(; ?charset=[\w-]+)?$/i;

/**
 * False for a multipart body cut off before its closing delimiter. Checked by hand because the
 * parser leaves the 'error' that busboy then emits on the open file part without a listener: an
 * uncaught exception that would end the Lambda process instead of answering 400. A body with its
 * closing delimiter is finished before its data ends, so that error cannot occur. True when there
 * is no boundary to look for: the parser refuses such a content type itself.
 */
function hasClosingBoundary(event: APIGatewayProxyEventV2): boolean {
  const boundary = BOUNDARY.exec(event.headers?.['content-type'] ?? '')?.[1];
  if (!boundary) return true;
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  // The parser reads the body as if preceded by CRLF, so a delimiter at the very start needs none
  // (checked there without copying the body to prepend one).
  const closing = `--${boundary}--`;
  return body.includes(`\r\n${closing}`) || body.subarray(0, closing.length).toString('latin1') === closing;
}

function noBody(request: BodyRequest): boolean {
  const { body } = request.event;
  if (body === undefined || body === null || body === '') {
    request.event.body = undefined;
    return true;
  }
  return false;
}

/** The body's size as sent (a base64 body is measured decoded, without decoding it). */
function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body, 'utf8');
}

function contentTypeOf(event: APIGatewayProxyEventV2): string {
  return JSON.stringify(event.headers?.['content-type'] ?? '');
}
