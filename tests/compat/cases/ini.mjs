import ini from "ini";
const text = `; top comment
scope = global
[database]
user = dbuser
password = "quoted; not a comment"
port = 5432
[paths.default]
datadir = /var/lib/data
array[] = first
array[] = second
`;
const cfg = ini.parse(text);
console.log(JSON.stringify(cfg));
cfg.database.port = 6543;
cfg.newsection = { k: "v=w" };
console.log(ini.stringify(cfg, { whitespace: true }));
