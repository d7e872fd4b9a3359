/**
 * Template files: mustache with HTML escaping off, and STRICT (docs/file-formats.md). `{{x}}`, `{{a.b}}`,
 * `{{&x}}`, `{{{x}}}`, `{{#x}}` and `{{^x}}` all need the name to be defined; an undefined one is an
 * InputError naming the variable and the tag's file:line:column. Partials are not supported. Parsed
 * templates are cached per file (and re-read when the file changes).
 */
import { readFileSync, statSync } from 'node:fs';
import Mustache from 'mustache';
import { InputError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { decodeText, MAX_YAML_BYTES } from '../load/yaml-file.js';
import { didYouMean } from '../load/did-you-mean.js';
import { hasTemplate, renderValue } from './render.js';
import { resolveFact } from './facts.js';
import { isPartial, isUnknown, UnknownValueError } from './unknown.js';

/** mustache token: [type, value, start, end, children?, closeIndex?] */
export type Token = [string, string, number, number, Token[]?, number?];

export interface Parsed {
  text: string;
  tokens: Token[];
  lineStarts: number[];
  mtimeMs: number;
  size: number;
}

const cache = new Map<string, Parsed>();

/** Render a template file with vars, strictly. Throws InputError. */
export function renderTemplateFile(path: string, vars: Vars): string {
  const t = parsedTemplate(path);
  const writer = new StrictWriter(path, t, vars);
  return writer.renderTokens(t.tokens as unknown as string[][], new Mustache.Context(vars), undefined, t.text, undefined);
}

export function parsedTemplate(path: string): Parsed {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new InputError(`cannot read template: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: path }, { cause: err });
  }
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  if (st.size > MAX_YAML_BYTES) throw new InputError(`template is too large (${st.size} bytes)`, { file: path, line: 1, column: 1 }, { expected: 'at most 4 MiB' });
  // line ends become "\n" in the template's own text (not in values), as Jinja's do in Ansible's template
  const text = decodeText(readFileSync(path), path).replace(/\r\n?/g, '\n');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const at = (offset: number): Source => position(path, lineStarts, offset);
  let tokens: Token[];
  try {
    tokens = Mustache.parse(text) as unknown as Token[];
  } catch (err) {
    const msg = (err as Error).message;
    const offset = /at (\d+)\s*$/.exec(msg)?.[1] ?? badDelimiterTag(text, msg);
    const hint = /^Invalid tags/.test(msg) ? ' (a set-delimiter tag needs two delimiters: {{=<% %>=}})' : '';
    throw new InputError(`template syntax error: ${msg.replace(/ at \d+\s*$/, '')}${hint}`, offset !== undefined ? at(Number(offset)) : { file: path });
  }
  rejectPartials(tokens, at);
  const parsed = { text, tokens, lineStarts, mtimeMs: st.mtimeMs, size: st.size };
  cache.set(path, parsed);
  return parsed;
}

/** mustache names no position for a bad set-delimiter tag: the first `{{=...=}}` without two delimiters. */
function badDelimiterTag(text: string, msg: string): number | undefined {
  if (!/^Invalid tags/.test(msg)) return undefined;
  for (const m of text.matchAll(/\{\{=([\s\S]*?)=\}\}/g)) if (m[1].trim().split(/\s+/).length !== 2) return m.index;
  const first = text.indexOf('{{=');
  return first >= 0 ? first : undefined;
}

function rejectPartials(tokens: Token[], at: (offset: number) => Source): void {
  for (const t of tokens) {
    if (t[0] === '>') throw new InputError(`partials ({{> ${t[1]}}}) are not supported`, at(t[2]), { expected: 'one self-contained template' });
    if (t[4]) rejectPartials(t[4], at);
  }
}

/** A template's text cannot hold an unknown (--check): the task says what it depends on instead. */
function unknownCheck(value: unknown, name: string): void {
  if (isUnknown(value)) throw new UnknownValueError(value.deps.length > 0 ? value.deps : [name]);
}

export function position(file: string, lineStarts: number[], offset: number): Source {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { file, line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

class StrictWriter extends Mustache.Writer {
  constructor(
    private readonly file: string,
    private readonly tpl: Parsed,
    private readonly vars: Vars,
  ) {
    super();
  }

  /** The value of a tag's name, mustache-style (innermost context first), or an InputError. */
  private value(token: string[], context: Mustache.Context): unknown {
    const tok = token as unknown as Token;
    const name = tok[1];
    const source = position(this.file, this.tpl.lineStarts, tok[2]);
    let value: unknown;
    let found = false;
    if (name === '.') {
      found = true;
      value = context.view;
    } else {
      const [first, ...rest] = name.split('.');
      for (let c: Mustache.Context | undefined = context; c; c = c.parent) {
        const view = c.view as unknown;
        if (view !== null && typeof view === 'object' && Object.hasOwn(view, first)) {
          found = true;
          value = resolveFact((view as Record<string, unknown>)[first]);
          for (const [i, seg] of rest.entries()) {
            unknownCheck(value, [first, ...rest.slice(0, i)].join('.'));
            if (value !== null && typeof value === 'object' && Object.hasOwn(value, seg)) value = resolveFact((value as Record<string, unknown>)[seg]);
            else if (isPartial(value)) throw new UnknownValueError([[first, ...rest.slice(0, i + 1)].join('.')]);
            else {
              found = false;
              break;
            }
          }
          break;
        }
        // inside a section over a result that did not run (--check): its other keys are unknown
        if (isPartial(view)) throw new UnknownValueError([name]);
      }
    }
    if (!found) {
      const first = name.split('.')[0];
      const hint = Object.hasOwn(this.vars, first) ? '' : didYouMean(first, Object.keys(this.vars));
      throw new InputError(`undefined variable '${name}' in template${hint}`, source, { expected: `'${name}' defined (give it a default: false, [] or "")` });
    }
    const out = hasTemplate(value) ? renderValue(value, this.vars, source) : value;
    unknownCheck(out, name);
    return out;
  }

  override escapedValue(token: string[], context: Mustache.Context): string {
    return this.text(token, context);
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    return this.text(token, context);
  }

  private text(token: string[], context: Mustache.Context): string {
    const v = this.value(token, context);
    if (v !== null && typeof v === 'object') {
      const kind = Array.isArray(v) ? 'a list' : 'a map';
      throw new InputError(`'${token[1]}' is ${kind}: use a section {{#${token[1]}}}…{{/${token[1]}}} to render it`, position(this.file, this.tpl.lineStarts, Number(token[2])));
    }
    return v === null || v === undefined ? '' : String(v);
  }

  override renderSection(token: string[], context: Mustache.Context, partials?: Mustache.PartialsOrLookupFn, originalTemplate?: string, config?: Mustache.RenderOptions): string {
    const value = this.value(token, context);
    const children = token[4] as unknown as string[][];
    if (!value || (Array.isArray(value) && value.length === 0)) return '';
    if (Array.isArray(value)) return value.map((item) => this.renderTokens(children, context.push(item), partials, originalTemplate, config)).join('');
    if (typeof value === 'object' || typeof value === 'string' || typeof value === 'number') {
      return this.renderTokens(children, context.push(value), partials, originalTemplate, config);
    }
    return this.renderTokens(children, context, partials, originalTemplate, config);
  }

  override renderInverted(token: string[], context: Mustache.Context, partials?: Mustache.PartialsOrLookupFn, originalTemplate?: string, config?: Mustache.RenderOptions): string {
    const value = this.value(token, context);
    if (!value || (Array.isArray(value) && value.length === 0)) return this.renderTokens(token[4] as unknown as string[][], context, partials, originalTemplate, config);
    return '';
  }
}
