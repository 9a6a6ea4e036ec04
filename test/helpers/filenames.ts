import { KEY_PARAM, keyFormPath } from '../../lib/http/key-forms.js';

/**
 * S3 keys that must survive every per-file route, and the two ways a client names one: in the path
 * (URL-encoded once) and in the key form (`?filename=`). Through API Gateway the path cannot carry
 * a `%` (decoded twice: refused, or `%41` read as `A`), a `?` (the path is cut there) or a `/` (the
 * route no longer matches); the key form carries any key.
 */
export const ROUND_TRIP_NAMES = [
  'my song (1).mp3',
  'a+b.mp3',
  '100%.mp3',
  '%41.mp3',
  'track #1.mp3',
  'what?.mp3',
  'rock & roll.mp3',
  'Ünïcødé 世界 λ.mp3',
  'albums/2024/song.mp3',
] as const;

/** Whether a key reaches its own file through the path form in AWS. */
export const travelsInPath = (key: string) => !/[%/?]/.test(key);

/** `/api/audio/{filename}/transcript` with the key in the path, URL-encoded once. */
export const pathForm = (template: string, key: string) => template.replace(`{${KEY_PARAM}}`, encodeURIComponent(key));

/** The key form of a per-file template: `/api/audio/transcript?filename=<encoded key>`. */
export const keyForm = (template: string, key: string) =>
  `${keyFormPath(template)}?${KEY_PARAM}=${encodeURIComponent(key)}`;
