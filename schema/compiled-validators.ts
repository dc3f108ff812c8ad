/**
 * Where `npm run build` writes the precompiled manifest validators (see standalone.ts). A module of its
 * own so that loading them does not load Ajv, which only compiling needs.
 */

/** File name of the compiled validators, next to the built schema module. */
export const COMPILED_VALIDATORS = 'validators.cjs';
