/** JSON Schema fragments shared by module argument schemas. */
/** An integer is the mode itself (YAML 1.1 `0644` is 420 = 0o644); text is octal or chmod-style symbolic. */
export const modeSchema = {
  type: ['string', 'integer'],
  minimum: 0,
  maximum: 0o7777,
  pattern: '^(\\s*(0o)?[0-7]+\\s*|(a|[ugo]*)([-+=][rwxXstugo]*)+(,(a|[ugo]*)([-+=][rwxXstugo]*)+)*)$',
  description: 'octal "0644" (quoted; an unquoted YAML 1.1 0644 is the same number) or symbolic "u=rwX,g=rX,o="',
  lbrunRule: 'mode',
};
export const ownerSchema = { type: 'string', minLength: 1 };
export const pathSchema = { type: 'string', minLength: 1 };
/** A path on the host: absolute (the `lbrunRule` is checked by support/arg-rules.ts). */
export const hostPathSchema = { type: 'string', minLength: 1, lbrunRule: 'absolute-path' };
/** A regular expression (Python re syntax, as Ansible takes it: (?P<name>...) too) that must compile. */
export const regexpSchema = { type: 'string', lbrunRule: 'regexp' };
/** A user or group name as useradd/groupadd accept it. */
export const accountNameSchema = { type: 'string', pattern: '^[a-z_][a-z0-9_.-]*\\$?$' };
export const stringList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

/** owner, group, mode */
export const attributeProps = { owner: ownerSchema, group: ownerSchema, mode: modeSchema };

/** A string or a list of strings, as a list. */
export function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : v.split(',').map((s) => s.trim()).filter(Boolean);
}
