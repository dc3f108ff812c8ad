/**
 * `secret(name)` in templates. A secret's value exists only on the host (generated there, or
 * delivered from secrets/*.age), where drover substitutes `{{drover-secret:NAME}}` placeholders
 * in file contents. So secret() is allowed only where that substitution happens (a file's
 * `content` or template), and its result must reach the output untouched: a filter, an operator, a
 * test or a member read would act on the placeholder, not on the value, and write garbage to the
 * host without a word. While rendering, secret() returns a token no template can produce by
 * accident; the checks here refuse every use that is not "write it as is".
 */
import { randomBytes } from 'node:crypto';

/** Marks every token (one mark for all engines: the member-read guard is process-wide). */
const MARK = '\u0000drover-secret\u0000';
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The placeholder substituted on the host (controller/apply, controller/facts MASK_AWK). */
export function secretPlaceholder(name: string): string {
  return `{{drover-secret:${name}}}`;
}

/** Where secret() may be used, for the message when it may not. */
const WHERE_ALLOWED = 'secret() works only in a file\'s content or template, where drover writes the value on the host';

/** Text rendered with the secrets it uses. */
export interface SecretAwareText {
  text: string;
  /** Names of the secrets whose placeholders the text holds, sorted, each once. */
  secrets: string[];
}

/** Token bookkeeping of one template engine. Synchronous renders only (nunjucks renders are). */
export interface SecretTokens {
  /** The `secret` function templates call. */
  call(name: unknown): string;
  /** Runs a render with secret() allowed; checks the output and turns its tokens into placeholders. */
  renderWithSecrets(render: () => string): SecretAwareText;
  /** Runs a render (or an evaluation) where secret() is refused. */
  renderWithoutSecrets<T>(render: () => T): T;
  /** Refuses a filter applied to a secret. */
  checkFilter(filter: string, args: readonly unknown[]): void;
}

/** Refuses a member read of a secret (`secret('x').length`); called by the template sandbox on every member read. */
export function checkSecretMember(obj: unknown, key: string): void {
  const name = secretIn(obj);
  if (name !== undefined) throw new Error(misuse(name, `reading "${key}" of it would read a placeholder, not the value`));
}

/** Token bookkeeping for one engine (a fresh random nonce per engine). */
export function createSecretTokens(): SecretTokens {
  const nonce = randomBytes(8).toString('hex');
  const token = (name: string): string => `${MARK}${nonce}:${name}${MARK}`;
  const tokens = new RegExp(`${MARK}${nonce}:([A-Za-z0-9_.-]+)${MARK}`, 'g');
  let calls: Map<string, number> | undefined;
  let active = false;
  const run = <T>(allowed: Map<string, number> | undefined, render: () => T): T => {
    const outer = { calls, active };
    [calls, active] = [allowed, true];
    try {
      return render();
    } finally {
      [calls, active] = [outer.calls, outer.active];
    }
  };
  return {
    call(name) {
      const text = String(name);
      if (!NAME.test(text)) throw new Error(`secret("${text}"): a secret name has letters, digits, "_", "." and "-" only`);
      if (!calls) throw new Error(`secret("${text}") cannot be used here: ${WHERE_ALLOWED}. Use a file resource whose content or template has {{ secret('${text}') }}, or read the value on the host from the secret's file (default /var/lib/drover/secrets/${text})`);
      if (!active) throw new Error('secret() called outside a render');
      calls.set(text, (calls.get(text) ?? 0) + 1);
      return token(text);
    },
    renderWithSecrets(render) {
      const used = new Map<string, number>();
      const raw = run(used, render);
      if (raw.includes('{{drover-secret:')) {
        throw new Error('the text "{{drover-secret:" is reserved for secret() placeholders; write {{ secret(\'NAME\') }}, or {{ "{{" }} to write braces literally');
      }
      const found = new Map<string, number>();
      const text = raw.replace(tokens, (_m, name: string) => {
        found.set(name, (found.get(name) ?? 0) + 1);
        return secretPlaceholder(name);
      });
      for (const [name, count] of used) {
        if ((found.get(name) ?? 0) < count) throw new Error(misuse(name, 'its result was changed, used in an expression (an operator, a comparison, a test or a condition) or never written'));
      }
      if (text.includes(MARK)) throw new Error(misuse([...used.keys()][0] ?? 'NAME', 'its result was changed'));
      return { text, secrets: [...found.keys()].sort() };
    },
    renderWithoutSecrets(render) {
      return run(undefined, render);
    },
    checkFilter(filter, args) {
      const name = args.map(secretIn).find((n) => n !== undefined);
      if (name !== undefined) throw new Error(misuse(name, `the filter "${filter}" would act on a placeholder, not on the value`));
    },
  };
}

function misuse(name: string, why: string): string {
  return `secret("${name}") must be written as is: ${why}, because the value exists only on the host. Write {{ secret('${name}') }} on its own; for a derived value (encoded, hashed, cut), keep that value itself as a secret (drover secrets set NAME)`;
}

/** The secret name a value carries a token of (strings, String objects, and lists of them), if any. */
function secretIn(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(secretIn).find((n) => n !== undefined);
  if (typeof value !== 'string' && !(value instanceof String) && !isSafeString(value)) return undefined;
  const text = String(value);
  const at = text.indexOf(MARK);
  if (at < 0) return undefined;
  return /^[0-9a-f]+:([A-Za-z0-9_.-]+)/.exec(text.slice(at + MARK.length))?.[1] ?? 'NAME';
}

function isSafeString(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { val?: unknown }).val === 'string';
}
