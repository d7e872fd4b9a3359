/** shell: a command line run by /bin/sh on the host (pipes, redirects, variables allowed). */
import { quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';
import { applyCommand, commandFact, commandLikeProps, planCommand, type CommandFacts, type CommandLikeArgs } from './support/run-command.js';

export interface ShellArgs extends CommandLikeArgs {
  cmd: string;
  /** The shell to run cmd with (`EXECUTABLE -c cmd`); default /bin/sh. */
  executable?: string;
}

export const shell = typedModule<ShellArgs, CommandFacts | undefined, undefined>({
  name: 'shell',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: { cmd: { type: 'string', minLength: 1 }, executable: { type: 'string', minLength: 1 }, ...commandLikeProps },
    required: ['cmd'],
    additionalProperties: false,
  },
  fact: (args, { check }) => commandFact(args, check),
  plan: (args, facts) => planCommand(args, facts, args.cmd),
  apply: (ctx, args) => applyCommand(ctx, args, args.executable ? quoteArgs([args.executable, '-c', args.cmd]) : args.cmd, args.cmd),
});

registerModule(shell);
