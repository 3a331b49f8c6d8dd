// Intl chunk "numberformat": Intl.NumberFormat with the `en` locale (see core.js).

import "@formatjs/intl-numberformat/polyfill-force.js";
import "@formatjs/intl-numberformat/locale-data/en.js";
