// The CLI as a function: argv in, exit code out, output through the context. main.ts wires
// it to the process (stdout, stderr, Ctrl-C); tests call it directly.

import { init } from '../index.js';
import { UsageError, helpText, parseArgs, type ParsedArgs } from './args.js';
import { EXIT_ERROR, EXIT_USAGE, println, type CliContext } from './context.js';
import { evaluateCommand } from './evaluate.js';
import { experimentList, experimentsCommand } from './experiments.js';
import { checkOutputPaths } from './output-paths.js';
import { trainCommand } from './train.js';

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
    if (args.help) {
      ctx.stdout.write(helpText(experimentList()));
      return 0;
    }
    if (args.command === 'evaluate' && args.values.model === undefined) throw new UsageError('evaluate needs --model FILE (a model saved with --save)');
    checkOutputPaths(args);
  } catch (error) {
    return fail(ctx, error);
  }
  try {
    await init();
    switch (args.command) {
      case 'train':
        return await trainCommand(args, ctx);
      case 'experiments':
        return await experimentsCommand(args, ctx);
      case 'evaluate':
        return await evaluateCommand(args, ctx);
    }
  } catch (error) {
    return fail(ctx, error);
  }
}

/** One line on stderr; exit 2 for command-line mistakes, 1 for everything else. */
function fail(ctx: CliContext, error: unknown): number {
  const usage = error instanceof UsageError;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error && !usage && error.name !== 'Error' ? `${error.name}: ` : '';
  println(ctx.stderr, `mlp-wasm: ${name}${message.replace(/\s*\n\s*/g, ' ')}${usage ? '' : ''}`);
  if (!usage && process.env.MLP_WASM_DEBUG && error instanceof Error && error.stack) println(ctx.stderr, error.stack);
  return usage ? EXIT_USAGE : EXIT_ERROR;
}
