import * as z from 'zod';
import type { Config } from '../../config.js';
import { APP_NAME, APP_VERSION } from '../../version.js';
import { defineRoute } from '../route.js';

/** Health, status and the OpenAPI document: served by functions/api/meta.ts. */

/** Where this runs: `local` in local mode (the console offers local-only pages then), else the deployment's name. */
function environmentName(config: Pick<Config, 'APP_ENV' | 'ENVIRONMENT_NAME'>): string {
  return config.APP_ENV === 'local' ? 'local' : (config.ENVIRONMENT_NAME ?? 'aws');
}

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/api/health',
  fn: 'meta',
  auth: 'public',
  summary: 'Liveness, version and environment: answers without touching the store.',
  tags: ['meta'],
  response: z.object({ status: z.literal('ok'), version: z.string(), environment: z.string() }),
  async handle({ deps }) {
    return { body: { status: 'ok', version: APP_VERSION, environment: environmentName(deps.config) } };
  },
});

export const statusRoute = defineRoute({
  method: 'GET',
  path: '/api/status',
  fn: 'meta',
  auth: 'public',
  summary: 'What this service is and offers (the old pages show its version).',
  tags: ['meta'],
  response: z.object({
    name: z.string(),
    version: z.string(),
    status: z.literal('running'),
    environment: z.string(),
    docs: z.string(),
    features: z.record(z.string(), z.boolean()),
  }),
  async handle({ deps }) {
    return {
      body: {
        name: APP_NAME,
        version: APP_VERSION,
        status: 'running',
        environment: environmentName(deps.config),
        docs: '/api/openapi.json',
        features: {
          // The Python service's flags, answered for this service: it streams audio, and has no
          // Yoto player control, card creation or MQTT.
          player_control: false,
          audio_streaming: true,
          myo_card_creation: false,
          mqtt_events: false,
          audio_upload: true,
          transcription: true,
          transcript_search: true,
          text_to_speech: true,
          public_audio: deps.config.PUBLIC_AUDIO,
        },
      },
    };
  },
});

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/api/openapi.json',
  fn: 'meta',
  auth: 'public',
  summary: 'This API described as OpenAPI 3.1.',
  tags: ['meta'],
  response: z.record(z.string(), z.unknown()),
  async handle() {
    // Imported on demand: the document pulls in every route's schemas, health does not need them.
    const { openApiDocument } = await import('../openapi.js');
    return { body: openApiDocument() };
  },
});

export const metaRoutes = [healthRoute, statusRoute, openApiRoute];
