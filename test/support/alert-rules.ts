import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** drover's alert rules as shipped. */
export const ALERT_RULES = fileURLToPath(new URL('../../deploy/prometheus/drover-alerts.yaml', import.meta.url));

interface RuleFile { groups: { name: string; rules: { alert?: string; for?: string }[] }[] }

/**
 * Writes a copy of drover's alert rules into `dir` with the `for` of the named alerts replaced
 * (so a test need not wait 15 minutes); throws when a named alert does not exist. Returns its path.
 */
export function writeRulesWithFor(dir: string, forByAlert: Record<string, string>): string {
  const rules = parse(readFileSync(ALERT_RULES, 'utf8')) as RuleFile;
  const seen = new Set<string>();
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    if (rule.alert && rule.alert in forByAlert) {
      rule.for = forByAlert[rule.alert];
      seen.add(rule.alert);
    }
  }
  const missing = Object.keys(forByAlert).filter((a) => !seen.has(a));
  if (missing.length > 0) throw new Error(`no such alert in ${ALERT_RULES}: ${missing.join(', ')}`);
  const file = join(dir, 'drover-alerts.yaml');
  writeFileSync(file, stringify(rules));
  return file;
}
