const JSZip = require("jszip");
(async () => {
  const zip = new JSZip();
  zip.file("hello.txt", "Hello World\n", { date: new Date(Date.UTC(2020, 0, 1)) });
  zip.folder("img").file("data.bin", new Uint8Array([1, 2, 3, 4]), { date: new Date(Date.UTC(2020, 0, 1)) });
  const buf = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
  console.log(buf.length, buf.slice(0, 4).toString("hex"));
  const back = await JSZip.loadAsync(buf);
  console.log(Object.keys(back.files).join(","), await back.file("hello.txt").async("string"), (await back.file("img/data.bin").async("uint8array")).join(","));
})();
