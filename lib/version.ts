/** The service's name and version, as /api/health and /api/status report them (package.json's, kept equal by a test). */
export const APP_NAME = 'audio-ingest';
export const APP_VERSION = '0.1.0';
