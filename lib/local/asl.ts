import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LambdaHandler } from './lambda.js';

/** The project root (where `functions/` and `statemachines/` live). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The one state-machine definition, the same file the CDK stack loads. */
export const INGEST_ASL_PATH = fileURLToPath(new URL('../../statemachines/ingest-audio.asl.json', import.meta.url));

/** A Task state whose Resource is a `${<Name>FunctionArn}` placeholder. */
export interface TaskBinding {
  state: string;
  /** e.g. `RegisterUploadFunctionArn`. */
  placeholder: string;
  /** e.g. `ingest/register-upload`, the path under `functions/` without extension. */
  functionName: string;
}

interface StatesContainer {
  States: Record<string, Record<string, unknown>>;
}

const PLACEHOLDER = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/;

/** `RegisterUpload` → `register-upload`. */
export function kebabCase(pascal: string): string {
  return pascal
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Reads an ASL file as is (no substitutions: local handlers replace the Task resources). */
export async function loadDefinition(path = INGEST_ASL_PATH): Promise<StateMachineDefinition> {
  return JSON.parse(await readFile(path, 'utf8')) as StateMachineDefinition;
}

function* walkStates(container: StatesContainer): Generator<[string, Record<string, unknown>]> {
  for (const [name, state] of Object.entries(container.States)) {
    yield [name, state];
    for (const branch of (state.Branches as StatesContainer[] | undefined) ?? []) yield* walkStates(branch);
    const processor = (state.ItemProcessor ?? state.Iterator) as StatesContainer | undefined;
    if (processor) yield* walkStates(processor);
  }
}

/**
 * Finds every Task state (nested ones too) and the function its `${<Name>FunctionArn}`
 * placeholder names: `RegisterUploadFunctionArn` → `functions/<dir>/register-upload.ts`.
 * A Task with any other Resource cannot run locally and is reported by name.
 */
export function taskBindings(definition: StateMachineDefinition, functionsDir = 'ingest'): TaskBinding[] {
  const bindings: TaskBinding[] = [];
  for (const [state, body] of walkStates(definition as unknown as StatesContainer)) {
    if (body.Type !== 'Task') continue;
    const resource = String(body.Resource);
    const match = PLACEHOLDER.exec(resource);
    if (!match?.[1]) {
      throw new Error(
        `Task state "${state}" has Resource ${JSON.stringify(resource)}; local mode runs only "\${<Name>FunctionArn}" Lambda tasks bound to functions/${functionsDir}/<name>.ts.`,
      );
    }
    bindings.push({
      state,
      placeholder: `${match[1]}FunctionArn`,
      functionName: `${functionsDir}/${kebabCase(match[1])}`,
    });
  }
  return bindings;
}

/**
 * Replaces `${Name}` placeholders the way CDK's definitionSubstitutions do, on a copy. Function
 * placeholders get a local Lambda ARN (never called: Task states run local handlers), so the
 * definition passes the runner's validation; `extra` fills any other placeholder.
 */
export function substitutePlaceholders(
  definition: StateMachineDefinition,
  extra: Record<string, string> = {},
  region = 'us-east-1',
): StateMachineDefinition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    if (name in extra) return extra[name] as string;
    const fn = /^([A-Za-z0-9]+)FunctionArn$/.exec(name)?.[1];
    return fn ? `arn:aws:lambda:${region}:000000000000:function:local-${kebabCase(fn)}` : whole;
  });
  return JSON.parse(text) as StateMachineDefinition;
}

/** Names of all states of a type (nested ones too), e.g. every Wait for the time overrides. */
export function statesOfType(definition: StateMachineDefinition, type: string, withField?: string): string[] {
  return [...walkStates(definition as unknown as StatesContainer)]
    .filter(([, body]) => body.Type === type && (withField === undefined || withField in body))
    .map(([name]) => name);
}

/** Imports `functions/<name>.ts` and returns its exported `handler`. */
export async function loadFunctionHandler(functionName: string): Promise<LambdaHandler> {
  const url = pathToFileURL(`${PROJECT_ROOT}functions/${functionName}.ts`).href;
  let module: { handler?: unknown };
  try {
    module = (await import(url)) as { handler?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(functionName)) {
      throw new Error(`Function "${functionName}" not found: expected functions/${functionName}.ts.`, { cause: error });
    }
    throw error;
  }
  if (typeof module.handler !== 'function') {
    throw new Error(`functions/${functionName}.ts does not export a \`handler\` function.`);
  }
  return module.handler as LambdaHandler;
}
