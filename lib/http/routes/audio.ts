import { fileRoutes } from './files.js';
import { transcriptRoutes } from './transcripts.js';
import { uploadRoutes } from './uploads.js';

/** Every route of functions/api/audio.ts: files, transcripts, uploads. */
export const audioRoutes = [...fileRoutes, ...transcriptRoutes, ...uploadRoutes];

export * from './files.js';
export * from './transcripts.js';
export * from './uploads.js';
