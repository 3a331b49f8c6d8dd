import { produce, enablePatches, enableMapSet, produceWithPatches, applyPatches, freeze, current } from "immer";
enablePatches();
enableMapSet();
const base = { todos: [{ id: 1, done: false }, { id: 2, done: false }], meta: new Map([["k", 1]]) };
const next = produce(base, (draft) => {
  draft.todos[0].done = true;
  draft.todos.push({ id: 3, done: false });
  draft.meta.set("k", 2);
  console.log("current", JSON.stringify(current(draft).todos));
});
console.log(next.todos, base.todos[0].done, next.todos[1] === base.todos[1], Object.isFrozen(next), next.meta.get("k"));
const [s2, patches, inverse] = produceWithPatches({ a: [1] }, (d) => {
  d.a.push(2);
  d.b = "x";
});
console.log(s2, patches, inverse, applyPatches(s2, inverse));
try {
  freeze({ a: 1 }, true).a = 2;
} catch (e) {
  console.log(e.constructor.name);
}
