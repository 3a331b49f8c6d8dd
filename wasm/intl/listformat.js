// Intl chunk "listformat": Intl.ListFormat with the `en` locale (see core.js).

import "@formatjs/intl-listformat/polyfill-force.js";
import "@formatjs/intl-listformat/locale-data/en.js";
