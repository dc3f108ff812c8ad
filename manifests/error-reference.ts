/**
 * docs/errors.md, rendered from the error registry (error-codes.ts): every code, what it means, what to do,
 * and what drover does with it. `npm run gen` writes it; a test checks the file is current.
 */
import { ERROR_CODES, type ErrorKind, type ErrorSpec } from './error-codes.js';

const NEXT: Readonly<Record<ErrorKind, string>> = {
  transient: 'retried with backoff',
  stalled: 'waits for a human: retried only by a new revision, a drift check or a sync',
  terminal: 'not applied again at this revision',
  internal: 'a bug: logged with its stack, retried with backoff',
};

/** The markdown of docs/errors.md. */
export function renderErrorReference(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, spec]: [string, ErrorSpec]) =>
    `| \`${code}\` | ${spec.doc.replace(/\|/g, '\\|')} | ${spec.kind}${spec.unreachable ? ', unreachable' : ''} | ${spec.http} | ${spec.exit} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from manifests/error-codes.ts by `npm run gen`; do not edit by hand. -->',
    '',
    'Every error drover reports carries one of these codes: the CLI prints `drover: <message>`, the HTTP API',
    'answers `{"error": {"code", "message"}}`, and a host\'s status keeps the code of its last failure.',
    '',
    'What the controller does with a host whose run ended with an error depends on its kind:',
    '',
    ...Object.entries(NEXT).map(([kind, next]) => `- **${kind}**: ${next}.`),
    '- **unreachable** (network errors before anything was sent): the host is `Unreachable`; after repeated',
    '  failures its circuit breaker leaves it alone for a cool-down, then tries once.',
    '',
    'HTTP is the status an API request that fails with the code answers with (500 answers carry no detail;',
    'the controller logs it). Exit is the CLI\'s exit code: 1 when the command failed, 3 when a host failed',
    'with the code and the other hosts went on.',
    '',
    '| code | what happened, what to do | kind | HTTP | exit |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
