// Intl chunk "segmenter": Intl.Segmenter (graphemes, words, sentences; see core.js).

import "@formatjs/intl-segmenter/polyfill-force.js";
