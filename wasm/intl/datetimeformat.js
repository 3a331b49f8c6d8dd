// Intl chunk "datetimeformat": Intl.DateTimeFormat with the `en` locale and the
// time zones of FormatJS's "golden" set (see core.js). Its en data is edited when
// bundled: an ASCII space before AM/PM, as node prints (internal/assets/build.ts).

import "@formatjs/intl-datetimeformat/polyfill-force.js";
import "@formatjs/intl-datetimeformat/locale-data/en.js";
import "@formatjs/intl-datetimeformat/add-golden-tz.js";
