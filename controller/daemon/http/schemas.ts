/**
 * JSON Schemas of what the API accepts, checked by fastify's ajv (strict: no coercion, no removed
 * properties, so a wrongly typed or unknown field is a 400 naming it).
 */

/** A host name as the manifests allow it (schema/defs.schema.json#/$defs/name). */
export const HOST_NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 253 } as const;

/** POST /api/v1/sync */
export const SYNC_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    hosts: { type: 'array', items: HOST_NAME, maxItems: 10_000 },
    dryRun: { type: 'boolean' },
    overrideWindow: { type: 'boolean' },
    forceConflict: { type: 'boolean' },
  },
} as const;

/** POST /api/v1/rollout/resume */
export const ROLLOUT_RESUME_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { lane: { type: 'string', minLength: 1, maxLength: 253 } },
} as const;

/** :name in /api/v1/hosts/:name */
export const HOST_PARAMS = {
  type: 'object',
  required: ['name'],
  properties: { name: HOST_NAME },
} as const;

/** :id in /api/v1/runs/:id */
export const RUN_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' } },
} as const;

/** POST /api/v1/previews: the ref to preview (checked further by previewRefProblem). */
export const PREVIEW_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['ref'],
  properties: { ref: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

/** :id in /api/v1/previews/:id */
export const PREVIEW_PARAMS = RUN_PARAMS;

/** ?format= of GET /api/v1/previews/:id */
export const PREVIEW_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['json', 'markdown'] } },
} as const;

/** The options fastify's ajv runs with. */
export const AJV_OPTIONS = { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true } as const;
