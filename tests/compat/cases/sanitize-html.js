const sanitizeHtml = require("sanitize-html");
const dirty = `<p onclick="x()">Hi <b>there</b> <script>alert(1)</script><a href="javascript:evil()">bad</a> <a href="https://ok.example/">ok</a><img src="x.png" onerror="y()"><iframe src="//e"></iframe><style>p{}</style></p>`;
console.log(sanitizeHtml(dirty));
console.log(sanitizeHtml(dirty, { allowedTags: ["b", "a"], allowedAttributes: { a: ["href"] }, transformTags: { b: "strong" } }));
console.log(sanitizeHtml("<div><h1>T</h1>text &amp; more</div>", { allowedTags: [], allowedAttributes: {} }));
