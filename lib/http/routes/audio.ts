import { fileRoutes } from './files.js';
import { speechRoutes } from './speech.js';
import { transcriptRoutes } from './transcripts.js';
import { uploadRoutes } from './uploads.js';

/** Every route of functions/api/audio.ts: files, transcripts, uploads, text to speech. */
export const audioRoutes = [...fileRoutes, ...transcriptRoutes, ...uploadRoutes, ...speechRoutes];

export * from './files.js';
export * from './speech.js';
export * from './transcripts.js';
export * from './uploads.js';
