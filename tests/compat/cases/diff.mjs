import { diffWords, diffLines, createTwoFilesPatch, applyPatch, diffJson } from "diff";
console.log(diffWords("the quick brown fox", "the slow brown dog").map((p) => (p.added ? `+${p.value}` : p.removed ? `-${p.value}` : p.value)).join("|"));
const a = "line1\nline2\nline3\n";
const b = "line1\nline two\nline3\nline4\n";
const patch = createTwoFilesPatch("a.txt", "b.txt", a, b, "old", "new");
console.log(patch);
console.log(applyPatch(a, patch) === b, diffLines(a, b).length, diffJson({ x: 1, y: [1] }, { x: 2, y: [1] }).length);
