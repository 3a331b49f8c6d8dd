const MarkdownIt = require("markdown-it");
const md = new MarkdownIt({ html: false, linkify: true, typographer: true });
console.log(md.render(`# Title "quoted" -- dash

Visit https://example.com and www.example.org (c) 2024...

1. one
2. **two** with \`code\`

| a | b |
|---|---|
| 1 | 2 |

<script>alert(1)</script>

~~strike~~ and ![img](x.png "t")
`));
console.log(JSON.stringify(md.parseInline("a *b*", {})[0].children.map((t) => t.type)));
