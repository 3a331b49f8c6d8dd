import { marked } from "marked";
const md = `# Title

Some *emphasis*, **strong**, \`code\` and a [link](https://example.com "t").

- one
- two
  1. nested
  2. list

| a | b |
|---|:-:|
| 1 | 2 |

\`\`\`js
const x = 1 < 2;
\`\`\`

> quote <b>html</b>
`;
console.log(marked.parse(md));
console.log(marked.parseInline("inline **bold** & <i>"));
console.log(JSON.stringify(marked.lexer("*a*\n\n---").map((t) => t.type)));
