// string-width measures with Intl.Segmenter
import stringWidth from "string-width";
for (const s of ["abc", "古池や", "👍🏽", "e\u0301", "\u001b[31mred\u001b[39m", "ｈｅｌｌｏ", "👨‍👩‍👧", "", "a\tb", "🇯🇵"]) console.log(JSON.stringify(s), stringWidth(s));
console.log(stringWidth("\u001b[1mbold\u001b[22m", { countAnsiEscapeCodes: true }), stringWidth("±", { ambiguousIsNarrow: false }));
