import type { PublicUser } from '../../lib/auth/users.js';
import type { ExecutionRecord, ExecutionStatus, ExecutionSummary, HistoryEvent } from '../../lib/local/executions.js';

/**
 * The console's only door to the server: same-origin JSON calls to the HTTP API (SPEC §4 shapes)
 * and to local mode's `/local/executions`. The session is the HttpOnly cookie the login sets, so
 * no token is ever held in script. Fields newer than a server may be absent; readers tolerate that.
 */

export const STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type TranscriptStatus = (typeof STATUSES)[number];

export interface AudioFile {
  filename: string;
  size: number;
  duration: number | null;
  /** The signed stream URL (SPEC §4); absent on servers that predate it. */
  url?: string;
  transcript_status: TranscriptStatus;
  transcript_error: string | null;
  has_transcript?: boolean;
  /** list: `{status, has_transcript}`; search: a snippet of the matching transcript. */
  transcript?: { status: TranscriptStatus; has_transcript: boolean } | string | null;
  created_at: string;
  updated_at: string;
  transcribed_at?: string | null;
}

export interface FilePage {
  files: AudioFile[];
  next_cursor: string | null;
}

export interface Transcript {
  filename: string;
  transcript: string | null;
  status: TranscriptStatus;
  error: string | null;
  transcribed_at: string | null;
}

export interface Session {
  authenticated: boolean;
  username?: string;
  is_admin?: boolean;
}

export type User = PublicUser;

export interface UploadTicket {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expires_in: number;
}

/** A refused request, with the server's own words (`detail`) as the message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onUnauthorized: () => void = () => {};

/** Called when any call but the login answers 401: the session ended, the app shows the sign-in. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await response.json().catch(() => undefined) : undefined;
  if (!response.ok) {
    const record = (data ?? {}) as { detail?: unknown; message?: unknown };
    if (response.status === 401 && path !== '/api/user/login') onUnauthorized();
    const detail =
      typeof record.detail === 'string'
        ? record.detail
        : typeof record.message === 'string'
          ? record.message
          : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, detail);
  }
  if (data === undefined) {
    throw new ApiError(response.status, `Expected JSON from ${path}, got ${type || 'no content type'}.`);
  }
  return data as T;
}

// --- What this server offers, read once from its OpenAPI document ---------------------------

interface OpenApiDocument {
  paths?: Record<string, Record<string, { parameters?: Array<{ name?: string; in?: string }> }>>;
}

let operations = new Set<string>();
/** The path prefix of the per-file routes' key-carrying (`?filename=`) form, when the server has one. */
let keyFormBase: string | undefined;
let localMode = true;

/**
 * Reads `/api/openapi.json` (which routes exist, so the console offers exactly the actions the
 * API offers) and `/api/health` (deployed or local: only local mode has `/local/executions`).
 */
export async function loadCapabilities(): Promise<void> {
  const [document, health] = await Promise.all([
    call<OpenApiDocument>('GET', '/api/openapi.json'),
    call<{ environment?: string }>('GET', '/api/health').catch(() => ({}) as { environment?: string }),
  ]);
  operations = new Set();
  const keyForms: string[] = [];
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.add(`${method.toUpperCase()} ${path}`);
      const takesKey = operation.parameters?.some((p) => p.name === 'filename' && p.in === 'query');
      if (takesKey && /^\/api\/audio(\/|$)/.test(path) && !path.includes('{')) keyForms.push(path);
    }
  }
  keyFormBase = keyForms.sort((a, b) => a.length - b.length)[0];
  localMode = health.environment === undefined || health.environment === 'local';
}

/** Whether the API has `method path` (path as in its route table, e.g. `/api/audio/{filename}`). */
export function offers(method: string, path: string): boolean {
  return operations.has(`${method} ${path}`);
}

/** Whether this is local mode, with its execution history at `/local/executions`. */
export function isLocalMode(): boolean {
  return localMode;
}

/**
 * The path of a per-file route. A name with `/` cannot travel in one path segment (API Gateway
 * decodes `%2F` before routing), so it goes as `?filename=` on the route's key-carrying form.
 */
export function filePath(filename: string, suffix = ''): string {
  if (filename.includes('/') && keyFormBase) {
    return `${keyFormBase}${suffix}?filename=${encodeURIComponent(filename)}`;
  }
  return `/api/audio/${encodeURIComponent(filename)}${suffix}`;
}

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  session: () => call<Session>('GET', '/api/user/session'),
  login: (username: string, password: string) =>
    call<{ username: string }>('POST', '/api/user/login', { username, password }),
  logout: () => call<unknown>('POST', '/api/user/logout'),

  async list(options: { limit: number; cursor?: string | undefined }): Promise<FilePage> {
    const page = await call<{ files: AudioFile[]; next_cursor?: string | null }>(
      'GET',
      `/api/audio/list${query({ limit: options.limit, cursor: options.cursor })}`,
    );
    return { files: page.files, next_cursor: page.next_cursor ?? null };
  },
  async search(q: string, options: { limit: number; cursor?: string | undefined }): Promise<FilePage> {
    const page = await call<{ results?: AudioFile[]; files?: AudioFile[]; next_cursor?: string | null }>(
      'GET',
      `/api/audio/search${query({ q, limit: options.limit, cursor: options.cursor })}`,
    );
    return { files: page.results ?? page.files ?? [], next_cursor: page.next_cursor ?? null };
  },
  /** One file's metadata: `…/metadata` (SPEC §4), or the bare path on a server that predates it. */
  metadata: (filename: string) =>
    call<AudioFile>('GET', filePath(filename, offers('GET', '/api/audio/{filename}/metadata') ? '/metadata' : '')),
  /** Whether a file of exactly this name exists (search is by substring: look for the exact name). */
  async exists(filename: string): Promise<boolean> {
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const found = await api.search(filename, { limit: 100, cursor });
      if (found.files.some((file) => file.filename === filename)) return true;
      if (!found.next_cursor) return false;
      cursor = found.next_cursor;
    }
    return false;
  },
  transcript: (filename: string) => call<Transcript>('GET', filePath(filename, '/transcript')),
  transcribe: (filename: string) => call<{ message: string }>('POST', filePath(filename, '/transcribe')),
  cancel: (filename: string) => call<{ message: string }>('POST', filePath(filename, '/transcript/cancel')),
  deleteTranscript: (filename: string) => call<{ message: string }>('DELETE', filePath(filename, '/transcript')),
  deleteFile: (filename: string) => call<{ message: string }>('DELETE', filePath(filename)),
  uploadUrl: (filename: string, contentType: string) =>
    call<UploadTicket>('POST', '/api/audio/upload-url', { filename, content_type: contentType }),

  async users(): Promise<User[]> {
    const body = await call<User[] | { users: User[] }>('GET', '/api/admin/users');
    return Array.isArray(body) ? body : body.users;
  },
  createUser: (user: { username: string; password: string; email?: string; is_admin: boolean }) =>
    call<{ message: string; user: User }>('POST', '/api/admin/users', user),
  updateUser: (id: number, change: { password?: string; is_active?: boolean; is_admin?: boolean }) =>
    call<{ message: string; user: User }>('PATCH', `/api/admin/users/${id}`, change),
  deleteUser: (id: number) => call<{ message: string }>('DELETE', `/api/admin/users/${id}`),

  executions: (status?: string) =>
    call<{ executions: ExecutionSummary[] }>('GET', `/local/executions${query({ status })}`).then((r) => r.executions),
  execution: (name: string) => call<ExecutionRecord>('GET', `/local/executions/${encodeURIComponent(name)}`),
};

// The shapes of local mode's `/local/executions` are the server's own types.
export type { ExecutionRecord, ExecutionStatus, ExecutionSummary, HistoryEvent };
