import { readFileSync } from 'node:fs';
import { INGEST_ASL_PATH } from '../../lib/local/asl.js';
import type { AslDefinition, AslState } from '../../web/src/graph/model.js';

/**
 * statemachines/ingest-audio.asl.json read as the console reads it, and the ways through it that
 * tests expect a run to take, found in the file rather than listed: a state added to the main
 * path changes what the tests expect without a test change.
 */
export const INGEST_ASL = JSON.parse(readFileSync(INGEST_ASL_PATH, 'utf8')) as AslDefinition;

/** The states `state` can go to without an error: each Choice rule's Next, Default, Next. */
function successors(state: AslState): string[] {
  return [
    ...(state.Choices ?? []).flatMap((rule) => (rule.Next ? [rule.Next] : [])),
    ...(state.Default ? [state.Default] : []),
    ...(state.Next ? [state.Next] : []),
  ];
}

/**
 * The shortest way from StartAt to `target` along Next, Default and Choice transitions (no
 * Catch): for the ingest machine and `Done`, RegisterUpload → … → CompleteTranscription → Done,
 * the states a successful run first enters, in order.
 */
export function pathTo(target: string, definition: AslDefinition = INGEST_ASL): string[] {
  const cameFrom = new Map<string, string | undefined>([[definition.StartAt, undefined]]);
  const queue = [definition.StartAt];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (name === target) {
      const path = [name];
      for (let previous = cameFrom.get(name); previous !== undefined; previous = cameFrom.get(previous)) {
        path.unshift(previous);
      }
      return path;
    }
    for (const next of successors(definition.States[name] ?? { Type: 'Fail' })) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, name);
        queue.push(next);
      }
    }
  }
  throw new Error(`No state of the definition leads from ${definition.StartAt} to ${target} without an error.`);
}

/**
 * The loop on `path`: from the state a Choice's Default goes back to, up to that Choice (the
 * ingest machine's polling: WaitForTranscription → CheckTranscription → TranscriptionState).
 */
export function loopOn(path: string[], definition: AslDefinition = INGEST_ASL): string[] {
  for (const [index, name] of path.entries()) {
    const back = definition.States[name]?.Default;
    const start = back === undefined ? -1 : path.indexOf(back);
    if (start !== -1 && start <= index) return path.slice(start, index + 1);
  }
  throw new Error(`No Choice on ${path.join(' → ')} goes back to an earlier state of it.`);
}
