import { ConfigError } from '../errors.js';

/**
 * Reads a Secrets Manager secret string through the AWS Parameters and Secrets Lambda extension
 * (a local HTTP endpoint inside the Lambda sandbox), so the API bundle needs no extra SDK client.
 * The deployed function must have the extension layer and `secretsmanager:GetSecretValue`.
 */
export async function readSecretString(secretId: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const token = env.AWS_SESSION_TOKEN;
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  if (!token) {
    throw new ConfigError(
      `Cannot read secret ${secretId}: no AWS session. Outside Lambda, set JWT_SECRET / ADMIN_PASSWORD instead.`,
    );
  }
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'X-Aws-Parameters-Secrets-Token': token } });
  } catch (error) {
    throw new ConfigError(
      `Cannot read secret ${secretId}: the Parameters and Secrets Lambda extension is not reachable on port ${port}; add its layer to the function.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new ConfigError(
      `Cannot read secret ${secretId}: HTTP ${response.status}; check the ARN and the function's permission.`,
    );
  }
  const body = (await response.json()) as { SecretString?: string };
  if (typeof body.SecretString !== 'string') throw new ConfigError(`Secret ${secretId} has no SecretString.`);
  return body.SecretString;
}
