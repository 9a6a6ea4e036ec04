import ElkConstructor, { type ELK } from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';

let elk: ELK | undefined;

/** One ELK for the page, laying out in a Web Worker (its 1.6 MB engine loads only on this page). */
export function browserElk(): ELK {
  elk ??= new ElkConstructor({ workerFactory: () => new Worker(workerUrl) });
  return elk;
}
