// Intl.Collator, simplified: FormatJS has no collator and ICU's tables are
// too big to carry. Strings compare as node's `en` collation does for
// Latin text: by base letters first (accents and case ignored), then by
// accents, then lower case before upper; digit runs by value with
// `numeric`. Punctuation and other scripts order by code point, where ICU
// would differ.

const MARKS = /[\u0300-\u036f]/g;
const PUNCT = /[\s\p{P}\p{S}]/gu;

const base = (s) => s.normalize("NFD").replace(MARKS, "").toLowerCase();
const accents = (s) => s.normalize("NFD").toLowerCase();

function cmp(a, b, numeric) {
  if (!numeric) return a < b ? -1 : a > b ? 1 : 0;
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return Math.sign(ra.length - rb.length);
}

/** Lower case first at the same position (ICU's tertiary order for `en`). */
function caseOrder(a, b, upperFirst) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const la = a[i] === a[i].toLowerCase();
    const lb = b[i] === b[i].toLowerCase();
    if (la !== lb) return (la ? -1 : 1) * (upperFirst ? -1 : 1);
  }
  return 0;
}

export class Collator {
  #o;
  constructor(locales, options = {}) {
    const locale = Intl.getCanonicalLocales(locales ?? [])[0] ?? "en-US";
    const usage = options.usage ?? "sort";
    this.#o = {
      locale: locale.split("-u-")[0],
      usage,
      sensitivity: options.sensitivity ?? "variant",
      ignorePunctuation: Boolean(options.ignorePunctuation),
      collation: "default",
      numeric: Boolean(options.numeric ?? /-u-.*kn(-true)?(-|$)/.test(locale)),
      caseFirst: options.caseFirst ?? "false",
    };
    this.compare = this.compare.bind(this);
  }
  compare(x, y) {
    const o = this.#o;
    let a = String(x);
    let b = String(y);
    if (o.ignorePunctuation) {
      a = a.replace(PUNCT, "");
      b = b.replace(PUNCT, "");
    }
    const primary = cmp(base(a), base(b), o.numeric);
    if (primary || o.sensitivity === "base") return primary;
    if (o.sensitivity !== "case") {
      const secondary = cmp(accents(a), accents(b), o.numeric);
      if (secondary || o.sensitivity === "accent") return secondary;
    }
    const tertiary = caseOrder(a.normalize("NFD"), b.normalize("NFD"), o.caseFirst === "upper");
    if (tertiary || o.sensitivity === "case") return tertiary;
    return cmp(a, b, false);
  }
  resolvedOptions() {
    return { ...this.#o };
  }
  static supportedLocalesOf(locales) {
    return Intl.getCanonicalLocales(locales ?? []).filter((l) => l === "en" || l.startsWith("en-"));
  }
  get [Symbol.toStringTag]() {
    return "Intl.Collator";
  }
}
