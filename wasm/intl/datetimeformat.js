// Intl chunk "datetimeformat": Intl.DateTimeFormat with the `en` locale and the
// time zones of FormatJS's "golden" set (see core.js).

import "@formatjs/intl-datetimeformat/polyfill-force.js";
import "@formatjs/intl-datetimeformat/locale-data/en.js";
import "@formatjs/intl-datetimeformat/add-golden-tz.js";

// As V8: format() and Date's toLocale*String() print an ASCII space where CLDR has
// U+202F (before AM/PM); formatToParts() and formatRange() keep U+202F.
const NNBSP = /\u202f/g;
const proto = Intl.DateTimeFormat.prototype;
const formatGetter = Object.getOwnPropertyDescriptor(proto, "format").get;
const bound = new WeakMap();
Object.defineProperty(proto, "format", {
  get() {
    let f = bound.get(this);
    if (!f) {
      const inner = formatGetter.call(this);
      f = (date) => inner(date).replace(NNBSP, " ");
      bound.set(this, f);
    }
    return f;
  },
  enumerable: false,
  configurable: true,
});
for (const name of ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"]) {
  const original = Date.prototype[name];
  Object.defineProperty(Date.prototype, name, {
    value: {
      [name](...args) {
        return original.apply(this, args).replace(NNBSP, " ");
      },
    }[name],
    writable: true,
    enumerable: false,
    configurable: true,
  });
}
