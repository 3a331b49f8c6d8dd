import { z } from "zod";
const User = z.object({
  name: z.string().min(2),
  email: z.string().email(),
  age: z.number().int().positive().optional(),
  role: z.enum(["admin", "user"]).default("user"),
  tags: z.array(z.string()).max(2),
});
console.log(User.parse({ name: "Ann", email: "a@b.co", tags: [] }));
const r = User.safeParse({ name: "A", email: "nope", age: -1, role: "x", tags: ["a", "b", "c"] });
console.log(r.success, r.error.issues.map((i) => `${i.path.join(".")}: ${i.code} ${i.message}`));
console.log(z.string().transform((s) => s.length).pipe(z.number().max(3)).safeParse("abcd").success);
console.log(z.union([z.literal("a"), z.number()]).parse(5), z.coerce.number().parse("42"));
