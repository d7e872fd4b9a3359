/** shell: a command line run by /bin/sh on the host (pipes, redirects, variables allowed). */
import { quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { applyCommand, commandLikeProps, planCommand, type CommandLikeArgs } from './support/run-command.js';
import type { ModuleDefinition } from './types.js';

export interface ShellArgs extends CommandLikeArgs {
  cmd: string;
  /** The shell to run cmd with (`EXECUTABLE -c cmd`); default /bin/sh. */
  executable?: string;
}

export const shell: ModuleDefinition<ShellArgs> = {
  name: 'shell',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: { cmd: { type: 'string', minLength: 1 }, executable: { type: 'string', minLength: 1 }, ...commandLikeProps },
    required: ['cmd'],
    additionalProperties: false,
  },
  plan: (ctx, args) => planCommand(ctx, args, args.cmd),
  apply: (ctx, args) => applyCommand(ctx, args, args.executable ? quoteArgs([args.executable, '-c', args.cmd]) : args.cmd, args.cmd),
};

registerModule(shell);
