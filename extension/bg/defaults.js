// Settings baked in at build time: empty here; `ucc-webhooks extension pack --ucc-origin URL` writes the
// enterprise build's UCC origins into its copy of this file (they are also its host_permissions).
export const DEFAULTS = Object.freeze({ uccOrigins: Object.freeze([]) });
