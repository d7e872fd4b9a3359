/**
 * The single sink of lbrun's output: once installed, every write to stdout and stderr (reporters,
 * the CLI's errors, commander's usage errors, -v stack traces, anything a library prints) passes
 * through the process's redactor, so no output path can bypass it. Expressions report the values
 * they compute from secrets to the same redactor (taint, vars/expr.ts).
 */
import { trackSecrets } from '../vars/expr.js';
import { redactor } from '../secrets/redact.js';

let installed = false;

export function installSink(): void {
  trackSecrets(redactor);
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => write(redactChunk(chunk), ...rest));
  }
  // Node prints an uncaught error itself, past process.stderr.write: print it through the sink
  const crash = (err: unknown) => {
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

function redactChunk(chunk: unknown): unknown {
  if (redactor.size === 0) return chunk;
  if (typeof chunk === 'string') return redactor.text(chunk);
  if (chunk instanceof Uint8Array) {
    const text = Buffer.from(chunk).toString('utf8');
    const masked = redactor.text(text);
    return masked === text ? chunk : Buffer.from(masked, 'utf8');
  }
  return chunk;
}
