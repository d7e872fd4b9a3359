/** command: run a program with arguments (argv list, or a string split into words; no shell syntax). */
import { quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';
import { applyCommand, commandFact, commandLikeProps, planCommand, type CommandFacts, type CommandLikeArgs } from './support/run-command.js';
import { splitWords } from './support/split-words.js';

export interface CommandArgs extends CommandLikeArgs {
  cmd?: string;
  argv?: string[];
}

const argvOf = (args: CommandArgs): string[] => args.argv ?? splitWords(args.cmd!);

export const command = typedModule<CommandArgs, CommandFacts | undefined, undefined>({
  name: 'command',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: { cmd: { type: 'string', minLength: 1 }, argv: { type: 'array', items: { type: 'string' }, minItems: 1 }, ...commandLikeProps },
    oneOf: [{ required: ['cmd'] }, { required: ['argv'] }],
    additionalProperties: false,
  },
  fact: (args, { check }) => commandFact(args, check),
  plan: (args, facts) => planCommand(args, facts, args.argv ?? args.cmd!),
  apply: (ctx, args) => applyCommand(ctx, args, quoteArgs(argvOf(args)), args.argv ?? args.cmd!),
});

registerModule(command);
