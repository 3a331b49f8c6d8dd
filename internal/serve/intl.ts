// Which of Intl's members an app's code names, so that edgebox serve's image holds
// their FormatJS chunks loaded and their en-US data prepared (runtime.js warmIntl):
// a fresh instance per request would otherwise load them again for every request
// that formats (a DateTimeFormat ~0.8 s of CPU, a NumberFormat ~70 ms). A name is
// enough: a member named but unused costs the image memory and the start time, a
// member used but unnamed (a module the handler loads later) costs its requests.

const USES: [RegExp, string][] = [
  // (Date's toLocale*String format through DateTimeFormat; a number's through NumberFormat)
  [/\bDateTimeFormat\b|\btoLocale(?:Date|Time)?String\b/, "DateTimeFormat"],
  [/\bNumberFormat\b|\btoLocaleString\b/, "NumberFormat"],
  [/\bPluralRules\b/, "PluralRules"],
  [/\bRelativeTimeFormat\b/, "RelativeTimeFormat"],
  [/\bListFormat\b/, "ListFormat"],
  [/\bSegmenter\b/, "Segmenter"],
  [/\bCollator\b|\blocaleCompare\b/, "Collator"],
];

/** The Intl members the sources name, each once. */
export function intlMembersNamed(sources: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const source of sources) {
    for (const [pattern, member] of USES) if (!found.has(member) && pattern.test(source)) found.add(member);
    if (found.size === USES.length) break;
  }
  return [...found];
}
