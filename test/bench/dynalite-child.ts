/**
 * Runs dynalite in a process of its own for the benchmarks (dynalite-process.ts starts it): prints
 * its endpoint on the first line and stops when its parent closes stdin.
 */
import { startDynalite } from '../../lib/local/dynalite.js';

const dynamo = await startDynalite();
process.stdout.write(`${dynamo.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void dynamo.close().then(() => process.exit(0));
});
