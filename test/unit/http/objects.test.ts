import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../lib/errors.js';
import { putNewObject, streamRedirectTtl } from '../../../lib/http/objects.js';

/**
 * Writing an upload that must not replace a file: S3 conditional writes. Shapes from the Amazon S3
 * User Guide, "Add preconditions to S3 operations with conditional requests" (conditional writes:
 * `If-None-Match: *` on PutObject; an existing key answers 412 Precondition Failed) and the
 * PutObject API reference (IfNoneMatch; ETag in the response). s3rver ignores the header, so
 * local mode relies on the HeadObject check the route makes first; this is AWS's side.
 */
const s3 = mockClient(S3Client);
afterAll(() => s3.restore());
beforeEach(() => s3.reset());

describe('putNewObject', () => {
  it('writes with If-None-Match: * and returns the ETag unquoted', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"5d41402abc4b2a76b9719d911017c592"' });
    const client = new S3Client({ region: 'us-east-1' });
    const result = await putNewObject(client, {
      bucket: 'audio',
      key: 'a.mp3',
      body: new Uint8Array([1, 2]),
      contentType: 'audio/mpeg',
    });
    expect(result).toEqual({ etag: '5d41402abc4b2a76b9719d911017c592' });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'audio',
      Key: 'a.mp3',
      ContentType: 'audio/mpeg',
      IfNoneMatch: '*',
    });
  });

  it('turns S3’s 412 PreconditionFailed (another write got there first) into a 409 naming the file', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );
    const error = await putNewObject(new S3Client({ region: 'us-east-1' }), {
      bucket: 'audio',
      key: 'taken.mp3',
      body: new Uint8Array([1]),
      contentType: 'audio/mpeg',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe("File 'taken.mp3' already exists. Please choose a different name.");
  });

  it('keeps a stream redirect valid for the whole file, within 15 minutes and 12 hours', () => {
    expect(streamRedirectTtl(null)).toBe(900);
    expect(streamRedirectTtl(60)).toBe(960);
    expect(streamRedirectTtl(4 * 3600)).toBe(4 * 3600 + 900);
    expect(streamRedirectTtl(100 * 3600)).toBe(12 * 3600);
  });
});
