// Intl chunk "relativetimeformat": Intl.RelativeTimeFormat with the `en` locale (see core.js).

import "@formatjs/intl-relativetimeformat/polyfill-force.js";
import "@formatjs/intl-relativetimeformat/locale-data/en.js";
