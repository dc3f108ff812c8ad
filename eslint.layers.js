// @ts-check
/**
 * The import direction of drover's modules, as lint rules (docs/controller-design.md, STYLE.md):
 *   cli -> daemon -> reconcile -> plan/apply/facts -> transport -> manifests -> schema
 * source and config import only manifests/errors (config also the YAML error helpers) and schema; the daemon may import source, config and
 * reconcile; nothing imports cli; plan and the facts parsers import nothing that does I/O.
 * Each directory gets one `no-restricted-imports` block naming the directories it must not reach; a
 * relative import names the directory it goes to (`../../transport/pool.js`), which is what is matched.
 */

/** Every module directory, by the path segment(s) an import of it contains. */
const MODULES = {
  cli: 'controller/cli', daemon: 'controller/daemon', reconcile: 'controller/reconcile', source: 'controller/source',
  config: 'controller/config', apply: 'controller/apply', plan: 'controller/plan', facts: 'controller/facts',
  transport: 'controller/transport', manifests: 'manifests', schema: 'schema',
};

/** What each directory may import besides itself (manifests/errors.ts is allowed everywhere: the lowest module). */
const ALLOWED = {
  cli: ['daemon', 'reconcile', 'source', 'config', 'manifests', 'schema'],
  daemon: ['reconcile', 'source', 'config', 'manifests', 'schema'],
  reconcile: ['apply', 'plan', 'facts', 'transport', 'manifests', 'schema'],
  apply: ['plan', 'facts', 'transport', 'manifests', 'schema'],
  plan: ['facts', 'manifests', 'schema'],
  facts: ['transport', 'manifests', 'schema'],
  transport: ['manifests', 'schema'],
  source: ['schema'],
  config: ['schema'],
  manifests: ['schema'],
  schema: [],
};

/**
 * Files of manifests/ a directory may import although manifests/ is below its reach: config reports its
 * errors as `file:line:col  path  message` with the YAML reading and problem helpers manifest errors use.
 */
const MANIFEST_FILES = {
  config: ['errors', 'problems', 'read', 'explain', 'messages'],
};

/** Node built-ins and packages that reach the world: not for plan or the facts parsers. */
const IO_MODULES = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process', 'node:net', 'net',
  'node:http', 'node:https', 'http', 'https', 'node:dgram', 'ssh2', 'simple-git'];

/** A regexp source matching a relative import of `dir` (`../transport/x.js`, `../../controller/transport/x.js`). */
function importOf(name, from) {
  // manifests/errors.ts is the lowest module: everyone may throw DroverError.
  if (name === 'manifests') return `^(\\.\\./)+manifests/(?!(${(MANIFEST_FILES[from] ?? ['errors']).join('|')})\\.js$)`;
  const dir = MODULES[name].split('/').pop();
  const prefix = MODULES[name].startsWith('controller/') ? '(controller/)?' : '';
  return `^(\\.\\./)+${prefix}${dir}(/|$)`;
}

function patternsFor(name) {
  const forbidden = Object.keys(MODULES).filter((m) => m !== name && !ALLOWED[name].includes(m));
  const patterns = forbidden.map((m) => ({
    regex: importOf(m, name),
    message: `${MODULES[name]} must not import ${MODULES[m]}: the import direction is cli -> daemon -> reconcile -> plan/apply/facts -> transport -> manifests -> schema (see eslint.layers.js).`,
  }));
  return patterns;
}

const noIo = (what) => ({
  paths: IO_MODULES.map((m) => ({ name: m, message: `${what} are pure: no I/O (${m}). Effects enter through arguments.` })),
  patterns: [{ regex: '^(\\.\\./)+transport/(?!(shell|types|host-sh)\\.js$)', message: `${what} are pure: only transport/shell.js (quoting), host-sh.js (sh text) and types.js.` },
    { regex: '^\\./observe\\.js$', message: `${what} are pure: observe.js runs the probe.` }],
});

/**
 * The flat-config blocks: one per module directory (files under it), plus the purity rule for plan and the
 * facts parsers (every facts file but observe.ts, which runs the probe through a Transport).
 */
export function layerRules() {
  const blocks = Object.keys(MODULES).map((name) => ({
    files: [`${MODULES[name]}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: patternsFor(name) }] },
  }));
  for (const [what, files, ignores] of [['plan modules', ['controller/plan/**/*.ts'], []], ['facts parsers', ['controller/facts/**/*.ts'], ['controller/facts/observe.ts']]]) {
    const pure = noIo(what);
    const name = what.startsWith('plan') ? 'plan' : 'facts';
    blocks.push({
      files, ignores,
      rules: { 'no-restricted-imports': ['error', { paths: pure.paths, patterns: [...patternsFor(name), ...pure.patterns] }] },
    });
  }
  return blocks;
}
