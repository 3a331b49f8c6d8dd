import bcrypt from "bcryptjs";
const fixedSalt = "$2b$04$abcdefghijklmnopqrstuu";
const hash = bcrypt.hashSync("correct horse", fixedSalt);
console.log(hash, bcrypt.compareSync("correct horse", hash), bcrypt.compareSync("wrong", hash));
console.log(bcrypt.getRounds(hash), bcrypt.getSalt(hash));
const h2 = await bcrypt.hash("pw", 4);
console.log(h2.length, await bcrypt.compare("pw", h2), bcrypt.truncates("x".repeat(80)));
