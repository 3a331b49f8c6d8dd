// Intl chunk "core": locales (getCanonicalLocales, Locale) and Collator, with
// String.prototype.localeCompare on it. Each chunk of wasm/intl/ is bundled and
// compiled to bytecode of its own at build time (internal/assets/build.ts) and
// evaluated when a script first touches one of its members (wasm/runtime.js).

import "@formatjs/intl-getcanonicallocales/polyfill-force.js";
import "@formatjs/intl-locale/polyfill-force.js";
import { Collator } from "./collator.js";

Object.defineProperty(Intl, "Collator", { value: Collator, writable: true, enumerable: false, configurable: true });
Object.defineProperty(String.prototype, "localeCompare", {
  value: function localeCompare(that, locales, options) {
    if (this === null || this === undefined) throw new TypeError("String.prototype.localeCompare called on null or undefined");
    return new Collator(locales, options).compare(String(this), String(that));
  },
  writable: true,
  enumerable: false,
  configurable: true,
});
