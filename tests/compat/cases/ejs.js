const ejs = require("ejs");
const tpl = `<ul>
<% for (const u of users) { -%>
  <li class="<%= u.admin ? 'admin' : 'user' %>"><%= u.name %> &amp; <%- u.raw %></li>
<% } -%>
</ul>
<%# a comment %>Total: <%= users.length %>`;
console.log(ejs.render(tpl, { users: [{ name: "<Ann>", admin: true, raw: "<b>x</b>" }, { name: "Bob", admin: false, raw: "y" }] }));
const fn = ejs.compile("Hello <%= who %>!", { client: false });
console.log(fn({ who: "sandbox" }), fn({ who: '"quoted"' }));
try { ejs.render("<% if (x { %>"); } catch (e) { console.log(e.name); }
