/**
 * multipart/form-data bodies as a browser's FormData sends them: text fields, then file parts,
 * each with its own name and type. For tests that post the old upload form.
 */
export const BOUNDARY = '----formdata-test-7MA4YWxkTrZu0gW';

export interface FilePartInput {
  /** The form field (the old page uses `file`). */
  field?: string;
  /** The file's own name; omitted for a Blob appended without one. */
  name?: string;
  type: string;
  content: Buffer;
}

/** The body and its Content-Type header. */
export function formData(
  fields: Record<string, string>,
  files: FilePartInput[],
): { body: Buffer; headers: Record<string, string> } {
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  for (const file of files) {
    const filename = file.name === undefined ? '' : `; filename="${file.name}"`;
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"${filename}\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}
