/**
 * Renders docs/manifest-reference.md from the JSON Schemas, so the reference never drifts
 * from what the validator accepts. Pure: schemas in, markdown out.
 */
import { resolveSchemaRef, schemas, type JsonSchema, type SchemaName } from './index.js';

type Node = { [key: string]: unknown };
interface Row {
  key: string;
  type: string;
  description: string;
}
interface Located {
  node: Node;
  doc: JsonSchema;
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fields every resource kind has; listed once, not per kind. */
const COMMON_RESOURCE_FIELDS = ['kind', 'dependsOn', 'notify', 'reboot', 'when', 'step', 'description'];

/** Follows `$ref`s of untitled schemas (siblings such as `description` win over the target). */
function deref(node: Node, doc: JsonSchema): Located {
  if (typeof node.$ref !== 'string') return { node, doc };
  const { $ref, ...siblings } = node;
  const target = resolveSchemaRef($ref as string, doc);
  if (target.file && target.node === schemas[target.file]) return { node, doc };
  if (typeof target.node.title === 'string') return { node: { ...siblings, $ref }, doc };
  return deref({ ...target.node, ...siblings }, target.doc);
}

/** Escapes markdown outside code spans: `<name>` would otherwise be swallowed as an HTML tag. */
const prose = (text: string): string =>
  text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('`');
const cell = (text: string): string => prose(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const isExpression = (node: Node): boolean => node.pattern === '\\{\\{';

/** A short human label of a schema's type: `integer (1..65535)`, `list of string`, `` `present` \| `absent` ``. */
function typeLabel(raw: Node, rawDoc: JsonSchema): string {
  const { node, doc } = deref(raw, rawDoc);
  if (typeof node.$ref === 'string') {
    const target = resolveSchemaRef(node.$ref, doc);
    return target.file ? `[${target.file}](#${target.file === 'resource' ? 'resources' : target.file})` : String(target.node.title).toLowerCase();
  }
  if ('const' in node) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) return node.enum.map((value) => `\`${String(value)}\``).join(' | ');
  const variants = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (variants && !node.type) {
    return [...new Set(variants.map((v) => (isExpression(deref(v, doc).node) ? '`{{ }}` string' : typeLabel(v, doc))))].join(' or ');
  }
  return baseTypeLabel(node, doc);
}

function baseTypeLabel(node: Node, doc: JsonSchema): string {
  const type = Array.isArray(node.type) ? node.type.join(' or ') : String(node.type ?? 'any');
  if (type === 'array' && isNode(node.items)) return `list of ${typeLabel(node.items, doc)}`;
  if (type === 'object' && isNode(node.additionalProperties)) return `map of ${typeLabel(node.additionalProperties, doc)}`;
  if (type === 'object') return 'map';
  if (type === 'integer' || type === 'number') {
    const min = node.minimum ?? node.exclusiveMinimum;
    return min === undefined ? type : `${type} (${node.exclusiveMinimum === undefined ? '≥' : '>'} ${String(min)}${node.maximum === undefined ? '' : `, ≤ ${String(node.maximum)}`})`;
  }
  return type;
}

/** Rows for every property of an object schema, recursing into nested objects (`a.b`), maps (`a.<name>.b`) and lists (`a[].b`). */
function propertyRows(raw: Node, rawDoc: JsonSchema, prefix = '', skip: string[] = []): Row[] {
  const { node, doc } = deref(raw, rawDoc);
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const rows: Row[] = [];
  for (const [key, sub] of Object.entries(isNode(node.properties) ? node.properties : {})) {
    if (skip.includes(key) || !isNode(sub)) continue;
    const { node: prop, doc: propDoc } = deref(sub, doc);
    const name = `${prefix}${key}`;
    rows.push({ key: `\`${name}\`${required.has(key) ? ' **(required)**' : ''}`, type: typeLabel(sub, doc), description: String(prop.description ?? '') });
    rows.push(...nestedRows(prop, propDoc, name));
  }
  return rows;
}

function nestedRows(prop: Node, doc: JsonSchema, name: string): Row[] {
  if (typeof prop.$ref === 'string') return [];
  if (isNode(prop.properties)) return propertyRows(prop, doc, `${name}.`);
  const additional = isNode(prop.additionalProperties) ? deref(prop.additionalProperties, doc) : undefined;
  if (additional && isNode(additional.node.properties)) return propertyRows(additional.node, additional.doc, `${name}.<name>.`);
  const items = isNode(prop.items) ? deref(prop.items, doc) : undefined;
  if (items && isNode(items.node.properties)) return propertyRows(items.node, items.doc, `${name}[].`);
  return [];
}

function table(rows: Row[]): string {
  const lines = rows.map((row) => `| ${row.key} | ${cell(row.type)} | ${cell(row.description)} |`);
  return ['| key | type | description |', '|---|---|---|', ...lines].join('\n');
}

/** A section per file schema, plus sections for its titled definitions (e.g. role tests). */
function fileSection(name: SchemaName, heading: string): string {
  const schema = schemas[name];
  const parts = [`## ${heading}`, prose(String(schema.description)), `Schema: \`schema/${name}.schema.json\`.`, table(propertyRows(schema, schema))];
  for (const def of Object.values(isNode(schema.$defs) ? schema.$defs : {})) {
    if (!isNode(def) || typeof def.title !== 'string') continue;
    parts.push(`### ${def.title}`, prose(String(def.description)), table(propertyRows(def, schema)));
  }
  return parts.join('\n\n');
}

function resourceSection(): string {
  const schema = schemas.resource;
  const defs = schema.$defs as Record<string, Node>;
  const kinds = (schema.oneOf as Node[]).map((ref) => String(ref.$ref).replace('#/$defs/', ''));
  const parts = [
    '## Resources',
    prose(String(schema.description)),
    `Schema: \`schema/resource.schema.json\`. Kinds: ${kinds.map((k) => `[\`${k}\`](#${k.replace('_', '')})`).join(', ')}.`,
    '### Fields of every kind',
    table([
      { key: '`kind` **(required)**', type: 'string', description: 'The resource kind, one of the kinds below.' },
      ...propertyRows(defs[kinds[0]!]!, schema).filter((row) => COMMON_RESOURCE_FIELDS.slice(1).some((f) => row.key === `\`${f}\``)),
    ]),
  ];
  for (const kind of kinds) {
    parts.push(`### ${kind}`, prose(String(defs[kind]!.description)), table(propertyRows(defs[kind]!, schema, '', COMMON_RESOURCE_FIELDS)));
  }
  return parts.join('\n\n');
}

const EDITOR_SECTION = `## Editor support

Every YAML file may start with a comment naming its schema, so editors using
[yaml-language-server](https://github.com/redhat-developer/yaml-language-server) (VS Code's YAML
extension, Neovim, Helix, ...) complete keys, show these descriptions on hover and flag errors as you type:

\`\`\`yaml
# yaml-language-server: $schema=../schema/host.schema.json
address: 10.0.0.12
roles: [apache]
\`\`\`

The path is relative to the YAML file. Keep a copy of drover's \`schema/\` directory at the root of the
manifest repository (the schemas refer to each other by relative file name, so keep them together), or point
at the installed package, e.g. \`$schema=../node_modules/drover/schema/host.schema.json\`.

| file | schema line |
|---|---|
| \`drover.yaml\` | \`# yaml-language-server: $schema=schema/drover.schema.json\` |
| \`hosts/<name>.yaml\` | \`# yaml-language-server: $schema=../schema/host.schema.json\` |
| \`groups/<name>.yaml\` | \`# yaml-language-server: $schema=../schema/group.schema.json\` |
| \`roles/<name>.yaml\` | \`# yaml-language-server: $schema=../schema/role.schema.json\` |
| \`drover.config.yaml\` (controller) | \`# yaml-language-server: $schema=<path to>/schema/config.schema.json\` |

Instead of the comment, VS Code users can map the schemas once in \`.vscode/settings.json\`:
\`"yaml.schemas": { "./schema/host.schema.json": "hosts/*.yaml", "./schema/group.schema.json": "groups/*.yaml", "./schema/role.schema.json": "roles/*.yaml", "./schema/drover.schema.json": "drover.yaml" }\`.`;

/**
 * Returns the markdown of docs/manifest-reference.md: editor setup, then every file format and
 * resource kind with each key's type and description, taken from the schemas.
 */
export function renderReference(): string {
  const sections = [
    '# Manifest reference',
    '<!-- Generated by `npm run gen` from schema/*.schema.json; do not edit by hand. -->',
    'Every file of a manifest repository with each key, its type and meaning (the controller\'s own config: ' +
      '[controller-config.md](controller-config.md)). ' +
      'Keys not listed are errors. Values in role files may contain nunjucks `{{ }}` expressions; ' +
      'where a field takes a number, such a string is accepted too and must render to a number.',
    EDITOR_SECTION,
    fileSection('drover', 'drover.yaml'),
    fileSection('host', 'hosts/&lt;name&gt;.yaml'),
    fileSection('group', 'groups/&lt;name&gt;.yaml'),
    fileSection('role', 'roles/&lt;name&gt;.yaml'),
    resourceSection(),
  ];
  return `${sections.join('\n\n')}\n`;
}

const CONFIG_INTRO = `\`drover controller\` reads its settings from \`drover.config.yaml\` (or \`.yml\`, \`.json\`, \`.js\`,
\`.ts\`, \`.droverrc*\`) in its working directory, or from \`--config FILE\`. With no file at all it runs on
built-in defaults: \`drover controller --repo URL_OR_PATH\`. The file is checked against
\`schema/config.schema.json\` before anything starts; problems are reported all at once as
\`file:line:col  path  message\` and the controller does not start.

- Relative paths start at the config file's directory.
- Durations are strings such as \`500ms\`, \`30s\`, \`5m\`, \`1h\`.
- Tokens, webhook secrets and keys are never written in the file: name a file (\`...File\`) or an
  environment variable (\`...Env\`) that holds them. They never appear in logs, metrics or API answers.
- Editors: start the file with \`# yaml-language-server: $schema=<path to>/schema/config.schema.json\`
  (\`drover init\` writes \`schema/\` and that line for you).

A config for a server (\`drover init\` writes a smaller one that follows the repository it sits in):

\`\`\`yaml
source:
  url: git@git.example.com:ops/fleet.git
  branch: main
  interval: 1m
listen: 0.0.0.0:8080
apiTokenFile: /etc/drover/api-token
webhookSecretFile: /etc/drover/webhook-secret
selfHeal: true
driftInterval: 5m
\`\`\``;

/**
 * Returns the markdown of docs/controller-config.md: where the controller config is read from, its
 * conventions, an example, then every key with its type and description, taken from config.schema.json.
 */
export function renderConfigReference(): string {
  const sections = [
    '# Controller config reference',
    '<!-- Generated by `npm run gen` from schema/config.schema.json; do not edit by hand. -->',
    CONFIG_INTRO,
    fileSection('config', 'Keys'),
  ];
  return `${sections.join('\n\n')}\n`;
}
