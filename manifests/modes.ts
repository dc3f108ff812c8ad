/**
 * The one definition of a file mode: 3 or 4 octal digits (schema/resource.schema.json's `mode` pattern says
 * the same; test/unit/manifests/modes.test.ts keeps the two in step). Stat on the host prints modes
 * without leading zeros (`%a`); drover compares and writes them as exactly 4 digits.
 */

const MODE = /^[0-7]{3,4}$/;

/** True when `text` is a mode drover accepts ("644", "0644", "2775"; not "01777", "00644", "8"). */
export function isMode(text: string): boolean {
  return MODE.test(text);
}

/**
 * The canonical 4-digit form of a mode ("644" -> "0644"), also for what stat prints ("1777", "0").
 * Throws RangeError for text that is not 1 to 4 octal digits (callers check declared modes with isMode first).
 */
export function normaliseMode(text: string): string {
  if (!/^[0-7]{1,4}$/.test(text)) throw new RangeError(`not an octal mode: ${JSON.stringify(text)}`);
  return text.padStart(4, '0');
}
