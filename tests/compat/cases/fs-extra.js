// fs-extra's copy compares files by fs.stat(..., { bigint: true }) and calls isDirectory() on the result
const fse = require("fs-extra");
const path = require("path");
(async () => {
  const root = fse.mkdtempSync(path.join("scratch", "fsx-"));
  const src = path.join(root, "src");
  await fse.outputFile(path.join(src, "a/b/c.txt"), "deep");
  await fse.outputJson(path.join(src, "data.json"), { n: 1 }, { spaces: 2 });
  await fse.copy(src, path.join(root, "dst"));
  console.log(fse.readFileSync(path.join(root, "dst/a/b/c.txt"), "utf8"), (await fse.readJson(path.join(root, "dst/data.json"))).n);
  try {
    await fse.copy(src, path.join(src, "a"));
  } catch (e) {
    console.log("copy into itself:", e.message.replace(root, "<tmp>").replace(root, "<tmp>"));
  }
  fse.ensureDirSync(path.join(root, "x/y"));
  // (a move to another directory stats every parent of the target up to / : outside the grants, EACCES)
  await fse.move(path.join(root, "dst/data.json"), path.join(root, "dst/moved.json"));
  console.log(await fse.pathExists(path.join(root, "dst/moved.json")), fse.existsSync(path.join(root, "dst/data.json")));
  const st = fse.statSync(root, { bigint: true });
  console.log(typeof st.ino, st.isDirectory(), st.isSymbolicLink(), st.isFile());
  await fse.emptyDir(path.join(root, "dst"));
  console.log(fse.readdirSync(path.join(root, "dst")).length);
  await fse.remove(root);
  console.log(fse.existsSync(root));
})();
