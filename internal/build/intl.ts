// Which of Intl's members an app's code names, so that a built app's snapshot and
// edgebox serve's image hold their FormatJS chunks loaded and their en-US data
// prepared (runtime.js warmIntl): a run, and every fresh instance of a request,
// would otherwise prepare them at first use (a DateTimeFormat ~0.8 s of CPU, a
// NumberFormat ~70 ms). A name is enough: a member named but unused costs memory
// and build or start time, a member used but unnamed (code loaded later) costs its
// runs.

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

/** Every member these names can load. */
export const INTL_MEMBERS = USES.map(([, member]) => member);

/** The Intl members the sources name, each once. */
export function intlMembersNamed(sources: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const source of sources) {
    for (const [pattern, member] of USES) if (!found.has(member) && pattern.test(source)) found.add(member);
    if (found.size === USES.length) break;
  }
  return [...found];
}
