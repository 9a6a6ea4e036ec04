import { s3ErrorText } from './s3-errors.js';

/**
 * A browser upload straight to S3: the presigned PUT from `POST /api/audio/upload-url`, sent with
 * XMLHttpRequest because fetch reports no upload progress. The bytes never pass through the API.
 */

export interface PutProgress {
  loaded: number;
  total: number;
}

export interface PutHandle {
  done: Promise<void>;
  abort(): void;
}

/** Thrown when the upload was cancelled, so callers can tell it from a failure. */
export class UploadCancelled extends Error {
  constructor() {
    super('Upload cancelled');
    this.name = 'UploadCancelled';
  }
}

/** PUTs `file` to a presigned URL with exactly the signed headers; progress as bytes sent. */
export function putFile(
  url: string,
  headers: Record<string, string>,
  file: Blob,
  onProgress: (progress: PutProgress) => void,
): PutHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.total || file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: file.size, total: file.size });
        resolve();
      } else {
        reject(new Error(s3ErrorText(xhr.status, xhr.responseText)));
      }
    };
    xhr.onerror = () => reject(new Error('The upload could not reach storage: check the connection and try again.'));
    xhr.onabort = () => reject(new UploadCancelled());
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

/**
 * The content type to declare: the browser's own guess, which the API checks against the name's
 * extension and answers with the accepted types when it does not fit.
 */
export function contentTypeOf(file: { type: string }): string {
  return file.type || 'application/octet-stream';
}
