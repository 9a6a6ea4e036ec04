import { expect, it } from 'vitest';
import { s3ErrorText } from '../../../web/src/s3-errors.js';

// The sample REST error response of the Amazon S3 API Reference, "Error responses"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), as printed there.
const DOCUMENTED_ERROR = `<?xml version="1.0" encoding="UTF-8"?> <Error> <Code>NoSuchKey</Code> <Message>The resource you requested does not exist</Message> <Resource>/mybucket/myfoto.jpg</Resource> <RequestId>4442587FB7D0A2F9</RequestId> </Error>`;

it("keeps S3's own code and message of a refused upload", () => {
  expect(s3ErrorText(404, DOCUMENTED_ERROR)).toBe(
    'Storage refused the upload (NoSuchKey): The resource you requested does not exist',
  );
});

it('says the status when S3 sent no readable body', () => {
  expect(s3ErrorText(503, '')).toBe('Storage refused the upload (HTTP 503).');
});
