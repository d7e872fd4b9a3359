/** JSON Schema fragments shared by module argument schemas. */
export const modeSchema = { type: ['string', 'integer'], description: 'octal "0644" or symbolic "u=rw,g=r,o=r"' };
export const ownerSchema = { type: 'string', minLength: 1 };
export const pathSchema = { type: 'string', minLength: 1 };
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
