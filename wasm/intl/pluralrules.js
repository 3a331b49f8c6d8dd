// Intl chunk "pluralrules": Intl.PluralRules with the `en` locale (see core.js).

import "@formatjs/intl-pluralrules/polyfill-force.js";
import "@formatjs/intl-pluralrules/locale-data/en.js";
