import { apiHandler } from '../../lib/http/middleware.js';
import { audioRoutes } from '../../lib/http/routes/audio.js';
import { dynamoStore, pollySynthesizer, s3Client, sfnExecutions } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('api/audio', {
  store: dynamoStore,
  s3: s3Client,
  executions: sfnExecutions,
  synthesizer: pollySynthesizer,
});

/** HTTP API: the routes of lib/http/routes/audio.ts. */
export const handler = apiHandler(audioRoutes, deps);
