/** JSON schemas shared by the domain routes (unknown fields rejected: additionalProperties false). */
export const MAX_ID = Number.MAX_SAFE_INTEGER

export const id = { type: 'integer', minimum: 1, maximum: MAX_ID } as const
export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id },
} as const
/** no NUL characters: PostgreSQL text cannot hold them */
export const NO_NUL = '^[^\\u0000]*$'
export const name = { type: 'string', minLength: 1, maxLength: 200, pattern: NO_NUL } as const
export const coord = { type: 'number', minimum: -1e7, maximum: 1e7 } as const
export const ifMatchHeader = {
  type: 'object',
  properties: { 'if-match': { type: 'string', maxLength: 40 } },
} as const
export const packageName = { type: 'string', enum: ['helmholtz', 'if97'] } as const
export const compounds = {
  type: 'array',
  minItems: 1,
  maxItems: 10,
  items: { type: 'string', minLength: 1, maxLength: 40 },
} as const
export const flowsheetOwnerQuery = {
  type: 'object',
  required: ['flowsheetOwner'],
  additionalProperties: false,
  properties: { flowsheetOwner: id },
} as const
