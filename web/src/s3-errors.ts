/** S3's error bodies in words; pure, so the unit tests run it without a browser. */

/** S3 answers errors as XML: keep its <Message> (and <Code>) so the person sees why. */
export function s3ErrorText(status: number, body: string): string {
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  if (message) return `Storage refused the upload (${code ?? status}): ${message}`;
  return `Storage refused the upload (HTTP ${status}).`;
}
