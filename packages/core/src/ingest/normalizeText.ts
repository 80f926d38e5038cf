/**
 * Horizontal whitespace removed at the end of each line: the ECMAScript `WhiteSpace` set written out by code
 * point (so it does not move with the engine's Unicode version), without the line terminators.
 * TAB, VT, FF, SPACE, NBSP, OGHAM SPACE MARK, U+2000–U+200A, NNBSP, MMSP, IDEOGRAPHIC SPACE (U+FEFF is
 * already gone by then).
 */
function isTrailingSpace(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0b ||
    c === 0x0c ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * The canonical form of a document's text, defined once so that its content hash is the same on every machine.
 * In this order:
 *
 * 1. CRLF and lone CR become LF (other separators such as U+2028 or U+0085 are content and stay);
 * 2. every U+FEFF is removed (a byte-order mark, or its deprecated use as a zero-width no-break space;
 *    removing only a leading one would not be idempotent: `"\n\uFEFFa"` would lose it on the second pass);
 * 3. Unicode NFC (canonical composition: `"e\u0301"` → `"é"`);
 * 4. each line loses its trailing horizontal whitespace (space, tab, VT, FF, NBSP and the Unicode spaces
 *    U+1680, U+2000–U+200A, U+202F, U+205F, U+3000); leading indentation is kept;
 * 5. runs of three or more blank lines become exactly two blank lines (`\n\n\n\n+` → `\n\n\n`);
 * 6. blank lines at the start and at the end are removed: the result neither starts nor ends with `\n`.
 *
 * Text that is only whitespace normalizes to `""`. The function is idempotent:
 * `normalizeText(normalizeText(x)) === normalizeText(x)`. Runs in linear time (no backtracking regex).
 *
 * @example
 * normalizeText("\uFEFFTitle  \r\n\r\n\r\n\r\n\r\nCafe\u0301\t\r\n"); // "Title\n\n\nCafé"
 */
export function normalizeText(text: string): string {
  // Line endings first: removing U+FEFF must not join a CR to a later LF ("\r\uFEFF\n" is two line breaks).
  let t = text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
  if (t.includes("\ufeff")) t = t.replaceAll("\ufeff", "");
  t = t.normalize("NFC");

  // One pass over the lines. Unchanged stretches are copied as whole slices: a line is only cut out when it
  // loses trailing spaces or a blank run is shortened, which keeps the common case near memcpy speed.
  const n = t.length;
  let out = "";
  let copyFrom = -1; // start in `t` of the stretch that is output verbatim and not yet appended
  let copyTo = -1;
  let blankRun = 0;
  let wroteLine = false;
  let pos = 0;
  while (pos <= n) {
    let lineEnd = t.indexOf("\n", pos);
    if (lineEnd < 0) lineEnd = n;
    let end = lineEnd;
    while (end > pos && isTrailingSpace(t.charCodeAt(end - 1))) end--;
    if (end === pos) {
      blankRun++;
    } else {
      if (wroteLine) {
        const separators = 1 + Math.min(blankRun, 2);
        // Verbatim when the input had exactly these separators (blank lines that were really empty).
        if (
          copyFrom >= 0 &&
          copyTo + separators === pos &&
          t.charCodeAt(copyTo) === 10 &&
          isNewlines(t, copyTo, pos)
        ) {
          copyTo = end;
        } else {
          if (copyFrom >= 0) out += t.slice(copyFrom, copyTo);
          out += separators === 1 ? "\n" : separators === 2 ? "\n\n" : "\n\n\n";
          copyFrom = pos;
          copyTo = end;
        }
      } else {
        copyFrom = pos;
        copyTo = end;
        wroteLine = true;
      }
      blankRun = 0;
    }
    pos = lineEnd + 1;
  }
  if (copyFrom >= 0) out += t.slice(copyFrom, copyTo);
  return out;
}

/** Whether t[from, to) is only `\n`. */
function isNewlines(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (t.charCodeAt(i) !== 10) return false;
  return true;
}
